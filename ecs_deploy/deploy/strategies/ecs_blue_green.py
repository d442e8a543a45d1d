"""ECS-native blue/green (also linear and canary): UpdateService, then follow the service
deployment through its lifecycle stages and PAUSE hooks.

AWS documents a deployment's progress on DescribeServiceDeployments only: `lifecycleStage`
(the stage it is in now) and `lifecycleHookDetails` (a PAUSE hook AWAITING_ACTION waits for
ContinueServiceDeployment CONTINUE or ROLLBACK). The tracker reads that record every poll;
service events are shown, never parsed. On a rollback ECS runs the TEST_TRAFFIC_SHIFT and
PRODUCTION_TRAFFIC_SHIFT hooks again (developer guide), so a stage counts as progress only
while the service deployment is PENDING or IN_PROGRESS: `ready` is never said while traffic
moves back to blue.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ecs_deploy.aws.ecs import EcsApi
from ecs_deploy.aws.logs import LogsApi
from ecs_deploy.aws.state import ServiceDeploymentRecord
from ecs_deploy.config.bluegreen import LIFECYCLE_STAGES
from ecs_deploy.config.settings import FailFastPolicy
from ecs_deploy.deploy import forensics
from ecs_deploy.deploy.started import StartedDeployment
from ecs_deploy.deploy.strategies.rolling import RollingTracker, explainer
from ecs_deploy.deploy.verdict import Verdict
from ecs_deploy.deploy.watch import Note, Snapshot, Step, Watched
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
    record: ServiceDeploymentRecord | None,
    link: str | None,
) -> BlueGreenResult:
    passed = list(stages)
    stage = (record.lifecycle_stage if record else None) or (passed[-1] if passed else None)
    return BlueGreenResult(
        strategy="ecs_blue_green",
        deployment_id=deployment_id,
        deployment_arn=record.arn if record else None,
        status=record.status if record else None,
        stage=stage,
        traffic=traffic(stage, outcome),
        hook_id=record.awaiting_hook if record and outcome is Outcome.READY else None,
        lifecycle=tuple((name, "entered") for name in passed),
        link=link,
    )


@dataclass
class EcsBlueGreenTracker(RollingTracker):
    """A rolling tracker that also follows our service deployment's stages and hooks."""

    records_every_poll: bool = True  # the stage and hooks are only on the record
    stages: list[str] = field(default_factory=list)
    told_rollback_hook: bool = False

    def observe(self, snapshot: Snapshot, now: float) -> Step:
        step = super().observe(snapshot, now)
        notes = list(step.notes)
        record = self.record
        stage = record.lifecycle_stage if record else None
        forward = record is not None and record.going_forward
        if forward and stage is not None and (not self.stages or self.stages[-1] != stage):
            self.stages.append(stage)
            notes.append((Note.INFO, f"lifecycle stage {stage}"))
        verdict = step.verdict or self._paused(notes)
        return Step(verdict, tuple(notes))

    def progress_suffix(self) -> str:
        blue_green = self.deployment.plan.ecs_blue_green
        stage = self.stages[-1] if self.stages else None
        return progress_note(stage, blue_green.bake_minutes if blue_green else None)

    def _paused(self, notes: list[tuple[Note, str]]) -> Verdict | None:
        """Where to stop waiting: wait-until reached, or a PAUSE hook that waits for someone.

        A hook AWAITING_ACTION with no wait-until is reported (outcome ready, with the
        deployment ARN and hook id for `continue`) rather than waited on into our timeout:
        nothing moves until someone answers it or its own timeoutConfiguration acts
        (botocore: expiresAt, timeoutAction). Only while the deployment goes forward.
        """
        record = self.record
        if record is None or (self.ecs_rolling_back and record.going_forward):
            return None  # the record lags ECS's rollback: never ready meanwhile
        hook = record.awaiting_hook
        if not record.going_forward:
            if hook is not None and not self.told_rollback_hook:
                self.told_rollback_hook = True
                notes.append(
                    (
                        Note.WARNING,
                        f"ECS's rollback waits at PAUSE hook {hook} "
                        f"({record.lifecycle_stage or 'unknown stage'}): answer it to go on",
                    )
                )
            return None
        plan = self.deployment.plan
        current = record.lifecycle_stage or (self.stages[-1] if self.stages else None)
        if hook is not None:
            return Verdict(
                Outcome.READY,
                f"paused at lifecycle stage {current or 'unknown'} (PAUSE hook {hook}); finish "
                "with `ecs-deploy continue` (CONTINUE or ROLLBACK)",
            )
        wanted = plan.wait_until
        if wanted is None or not reached(self.stages, current, wanted):
            return None
        pause_stages = plan.ecs_blue_green.pause_stages if plan.ecs_blue_green else ()
        if current == wanted and wanted in pause_stages:
            return None  # ECS has not registered the hook yet: the next poll will see it
        return Verdict(
            Outcome.READY, f"reached lifecycle stage {wanted}; the deployment goes on in ECS"
        )


def watch_ecs_blue_green(
    deployment: StartedDeployment,
    run_deadline: float | None,
    policy: FailFastPolicy,
    ecs: EcsApi,
    logs: LogsApi | None,
) -> Watched:
    tracker = EcsBlueGreenTracker(deployment, deployment.deadline(run_deadline), policy)
    link = forensics.console_links(ecs.region, deployment.plan.cluster, deployment.name, ())[0][1]

    def describe(verdict: Verdict) -> BlueGreenResult:
        return result(
            deployment_id=deployment.deployment_id,
            stages=tracker.stages,
            outcome=verdict.outcome,
            record=tracker.record,
            link=link,
        )

    return Watched(tracker, explain=explainer(tracker, ecs, logs), describe=describe)
