"""When ECS decided, from the emulator's state history, and what the run read after it."""

from __future__ import annotations

from typing import Any


def rollout_at(app: Any, deployment_id: str, state: str) -> float:
    """When our deployment's rolloutState became `state`."""
    [at] = [
        c.at
        for c in app.history
        if c.deployment_id == deployment_id and c.field == "rolloutState" and c.value == state
    ]
    return float(at)


def rollback_completed_at(app: Any, deployment_id: str) -> float:
    """When ECS's rollback of our FAILED deployment completed: the deployment that runs the
    old revision again (a new one, or the last COMPLETED one re-activated) is COMPLETED."""
    failed = rollout_at(app, deployment_id, "FAILED")
    return min(
        c.at
        for c in app.history
        if c.deployment_id not in ("", deployment_id)
        and c.field == "rolloutState"
        and c.value == "COMPLETED"
        and c.at >= failed
    )


def reads_after(app: Any, moment: float) -> tuple[int, int]:
    """ECS reads of the run after `moment`: all of them, and DescribeServices polls (the
    service deployment record read in the same poll can be the one that tells)."""
    calls = [c for c in app.calls.operations() if c.service == "ecs" and not c.mutating]
    after = [c for c in calls if c.at >= moment]
    return len(after), sum(1 for c in after if c.operation == "DescribeServices")
