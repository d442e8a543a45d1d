"""ECS-native blue/green (also linear and canary): lifecycle stages, PAUSE hooks, traffic. Pure.

ECS announces each stage a deployment enters as a service event
"(service web) (deployment ecs-svc/123) entered lifecycle stage BAKE_TIME." and keeps the
current one as the service deployment's `lifecycleStage`. A PAUSE hook at a stage waits for
ContinueServiceDeployment (CONTINUE or ROLLBACK); its `hookId` is in `lifecycleHookDetails`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from ecs_deploy.config.bluegreen import LIFECYCLE_STAGES
from ecs_deploy.results import BlueGreenResult, Outcome

_STAGE_EVENT = re.compile(r"\(deployment (?P<id>[^)]+)\) entered lifecycle stage (?P<stage>\w+)")
_TEST_TRAFFIC_AT = LIFECYCLE_STAGES.index("TEST_TRAFFIC_SHIFT")
_PRODUCTION_TRAFFIC_AT = LIFECYCLE_STAGES.index("PRODUCTION_TRAFFIC_SHIFT")


def entered_stage(message: str, deployment_id: str | None) -> str | None:
    """The stage this event says our deployment entered, if it says so."""
    found = _STAGE_EVENT.search(message)
    if found is None or found["id"] != deployment_id:
        return None
    return found["stage"]


def reached(stage: str | None, wanted: str) -> bool:
    """Whether `stage` is `wanted` or later (stages are passed in order)."""
    if stage not in LIFECYCLE_STAGES or wanted not in LIFECYCLE_STAGES:
        return stage == wanted
    return LIFECYCLE_STAGES.index(stage) >= LIFECYCLE_STAGES.index(wanted)


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
    """Our service deployment among those created since our update began.

    Where its ARN ends with our deployment's number (ecs-svc/NUMBER), that one. Else the
    earliest not already finished when we started: later ones are someone else's, and one
    that finished before is the deployment before ours.
    """
    if not records:
        return None
    number = (deployment_id or "").rsplit("/", 1)[-1]
    for record in records:
        if number and str(record.get("serviceDeploymentArn", "")).endswith(f"/{number}"):
            return record
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
