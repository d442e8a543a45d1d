"""Verdicts that are certain before ECS gives one: stop waiting as soon as they are.

Pure: the watcher feeds in what it observed; these rules only decide.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ecs_deploy.config.durations import format_duration
from ecs_deploy.config.settings import FailFastPolicy
from ecs_deploy.deploy.verdict import Verdict
from ecs_deploy.results import Outcome, StoppedTaskGroup

UNABLE_TO_PLACE = "was unable to place a task"


def breaker_threshold(desired_count: int) -> int:
    """ECS's circuit-breaker failure threshold: 0.5 x desired, clamped to 3..200."""
    return min(200, max(3, -(-desired_count // 2)))


def _breaker(service: Mapping[str, Any]) -> Mapping[str, Any]:
    return (service.get("deploymentConfiguration") or {}).get("deploymentCircuitBreaker") or {}


def breaker_enabled(service: Mapping[str, Any]) -> bool:
    return bool(_breaker(service).get("enable"))


def breaker_rolls_back(service: Mapping[str, Any]) -> bool:
    return breaker_enabled(service) and bool(_breaker(service).get("rollback"))


@dataclass(frozen=True, slots=True)
class Observation:
    """What the watcher saw of our deployment since it started."""

    deployment: Mapping[str, Any]
    startup_failures: tuple[StoppedTaskGroup, ...]
    unplaced_for: float | None  # seconds of "unable to place" with no task of ours running
    unplaced_message: str | None = None

    @property
    def startup_failure_count(self) -> int:
        return sum(group.count for group in self.startup_failures)


def fail_fast(
    service: Mapping[str, Any], observation: Observation, policy: FailFastPolicy
) -> Verdict | None:
    # Image pulls and secret reads can fail and then succeed on ECS's retry (registry rate
    # limits): certain only while none of the new revision's tasks runs.
    running = int(observation.deployment.get("runningCount") or 0)
    if observation.startup_failure_count >= policy.max_start_failures and running == 0:
        top = observation.startup_failures[0]
        return Verdict(
            Outcome.FAILED,
            f"{observation.startup_failure_count} tasks of the new revision failed to start: "
            f"{top.describe()}",
        )
    deployment = observation.deployment
    desired = int(deployment.get("desiredCount") or 0)
    failed = int(deployment.get("failedTasks") or 0)
    if not breaker_enabled(service) and desired and failed >= breaker_threshold(desired):
        return Verdict(
            Outcome.STALLED,
            f"crash loop: {failed} tasks of the new revision failed and "
            f"{deployment.get('runningCount', 0)}/{desired} run; the circuit breaker is off, "
            "so ECS would keep retrying forever",
        )
    if (
        observation.unplaced_for is not None
        and observation.unplaced_for >= policy.placement_grace_seconds
    ):
        return Verdict(
            Outcome.STALLED,
            f"ECS could not place tasks for {format_duration(observation.unplaced_for)}: "
            f"{observation.unplaced_message or UNABLE_TO_PLACE}",
        )
    return None
