"""ECS-native blue/green (also linear and canary): lifecycle stages, PAUSE hooks, traffic. Pure.

AWS documents a deployment's progress on DescribeServiceDeployments only: `lifecycleStage`
(the stage it is in now) and `lifecycleHookDetails` (a PAUSE hook AWAITING_ACTION waits for
ContinueServiceDeployment CONTINUE or ROLLBACK; its `hookId` is there). The watcher reads that
record every poll; service events are shown, never parsed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from ecs_deploy.config.bluegreen import LIFECYCLE_STAGES
from ecs_deploy.results import BlueGreenResult, Outcome

_TEST_TRAFFIC_AT = LIFECYCLE_STAGES.index("TEST_TRAFFIC_SHIFT")
_PRODUCTION_TRAFFIC_AT = LIFECYCLE_STAGES.index("PRODUCTION_TRAFFIC_SHIFT")


def reached(seen: Sequence[str], current: str | None, wanted: str) -> bool:
    """Whether the deployment got to `wanted`: seen in it (at any poll), in it now, or now in a
    stage after it (a stage shorter than a poll can be missed).

    Not "the last stage is later": LINEAR and CANARY repeat the production traffic-shift
    stages, so the stage of the moment can come before one already passed; `seen` keeps those.
    """
    if wanted in seen or current == wanted:
        return True
    if current not in LIFECYCLE_STAGES or wanted not in LIFECYCLE_STAGES:
        return False
    return LIFECYCLE_STAGES.index(current) > LIFECYCLE_STAGES.index(wanted)


def awaiting_hook(service_deployment: Mapping[str, Any] | None) -> str | None:
    """The hookId of the PAUSE hook that waits for ContinueServiceDeployment, if one does."""
    for hook in (service_deployment or {}).get("lifecycleHookDetails") or ():
        if hook.get("status") == "AWAITING_ACTION" and hook.get("hookId"):
            return str(hook["hookId"])
    return None


def ours(
    records: Sequence[Mapping[str, Any]] | None,
    since: datetime,
    deployment_id: str | None = None,
) -> Mapping[str, Any] | None:
    """Our service deployment among those listed since our update began.

    The earliest created at or after `since` (our UpdateService's time, taken a little early):
    later ones are someone else's. An ARN ending with our deployment's number (ecs-svc/NUMBER)
    only breaks a tie between ones created at the same moment. Without createdAt, the earliest
    not already finished when we started (one that finished before is the one before ours).
    """
    if not records:
        return None
    number = (deployment_id or "").rsplit("/", 1)[-1]

    def not_ours_by_arn(record: Mapping[str, Any]) -> bool:
        return not number or not str(record.get("serviceDeploymentArn", "")).endswith(f"/{number}")

    created = [
        r for r in records if isinstance(r.get("createdAt"), datetime) and r["createdAt"] >= since
    ]
    if created:
        return min(created, key=lambda r: (r["createdAt"], not_ours_by_arn(r)))
    candidates = [
        r
        for r in records
        if not isinstance(r.get("finishedAt"), datetime) or r["finishedAt"] >= since
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda r: r.get("createdAt") or since)


def traffic(stage: str | None, outcome: Outcome | None = None) -> str:
    """Where traffic goes, in words, from the stage last entered."""
    if outcome is Outcome.ROLLED_BACK:
        return "production: blue (rolled back)"
    if outcome is Outcome.SUCCEEDED:
        return "production: green"
    index = LIFECYCLE_STAGES.index(stage) if stage in LIFECYCLE_STAGES else -1
    if index > _PRODUCTION_TRAFFIC_AT:
        return "production: green"
    if index == _PRODUCTION_TRAFFIC_AT:
        return "production: shifting to green"
    if index > _TEST_TRAFFIC_AT:
        return "test: green; production: blue"
    return "production: blue"


def progress_note(stage: str | None, bake_minutes: int | None) -> str:
    """The stage for the live progress line, with the bake time while baking."""
    if stage is None:
        return ""
    if stage == "BAKE_TIME" and bake_minutes:
        return f", stage {stage} ({bake_minutes} min bake)"
    return f", stage {stage}"


def result(
    *,
    deployment_id: str | None,
    stages: Iterable[str],
    outcome: Outcome,
    record: Mapping[str, Any] | None,
    link: str | None,
) -> BlueGreenResult:
    passed = list(stages)
    stage = str(record.get("lifecycleStage")) if record and record.get("lifecycleStage") else None
    stage = stage or (passed[-1] if passed else None)
    return BlueGreenResult(
        strategy="ecs_blue_green",
        deployment_id=deployment_id,
        deployment_arn=str(record["serviceDeploymentArn"]) if record else None,
        status=str(record.get("status")) if record else None,
        stage=stage,
        traffic=traffic(stage, outcome),
        hook_id=awaiting_hook(record) if outcome is Outcome.READY else None,
        lifecycle=tuple((name, "entered") for name in passed),
        link=link,
    )
