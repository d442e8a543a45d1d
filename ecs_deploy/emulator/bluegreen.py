"""ECS-native blue/green (deploymentConfiguration.strategy = BLUE_GREEN).

The PRIMARY deployment walks the documented lifecycle stages in order. The green tasks are
started in SCALE_UP (all at once: blue keeps serving), traffic "shifts" in the traffic stages,
BAKE_TIME lasts bakeTimeInMinutes, and CLEAN_UP stops the blue tasks. The current stage is
`lifecycleStage` in DescribeServiceDeployments (what AWS documents). Each stage entered is also
announced as a service event "(service X) (deployment Y) entered lifecycle stage STAGE.": the
emulator's own wording, for people watching; clients must not parse it.

PAUSE lifecycle hooks (deploymentConfiguration.lifecycleHooks with targetType PAUSE): on
entering one of the hook's stages the deployment waits, the hook AWAITING_ACTION in
DescribeServiceDeployments' lifecycleHookDetails, until ContinueServiceDeployment answers
CONTINUE (the stage goes on) or ROLLBACK (the deployment fails and the last completed revision
is redeployed), or until its timeoutConfiguration expires (its action applies).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from moto.core.utils import utcnow
from moto.ecs.models import Service

from . import actions, clock, service_deployments, tasks
from .deployments import FAILED, add_event, deployment_configuration, runtime_of

if TYPE_CHECKING:
    from moto.ecs.models import EC2ContainerServiceBackend

    from .runtime import EmulatorRuntime
    from .task_model import EmulatedTask

STAGES = (
    "RECONCILE_SERVICE",
    "PRE_SCALE_UP",
    "SCALE_UP",
    "POST_SCALE_UP",
    "TEST_TRAFFIC_SHIFT",
    "POST_TEST_TRAFFIC_SHIFT",
    "PRODUCTION_TRAFFIC_SHIFT",
    "POST_PRODUCTION_TRAFFIC_SHIFT",
    "BAKE_TIME",
    "CLEAN_UP",
)


@dataclass(slots=True)
class PauseHook:
    """A PAUSE hook the deployment waits at (emulator time for expiry, wall time for the API)."""

    stage: str
    hook_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    status: str = "AWAITING_ACTION"  # then SUCCEEDED (answered) or TIMED_OUT
    expires_at: float | None = None
    expires_wall: datetime | None = None
    timeout_action: str | None = None


class HookError(Exception):
    """ContinueServiceDeployment cannot be applied (`code` is ECS's error type)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(slots=True)
class Progress:
    index: int
    entered_at: float
    hooks: list[PauseHook] = field(default_factory=list)  # every PAUSE hook met, in order

    @property
    def waiting(self) -> PauseHook | None:
        last = self.hooks[-1] if self.hooks else None
        return last if last is not None and last.status == "AWAITING_ACTION" else None

    @property
    def stage(self) -> str:
        return STAGES[self.index]


def current_stage(service: Service, deployment_id: str) -> str | None:
    progress = runtime_of(service).stages.get(deployment_id)
    return progress.stage if isinstance(progress, Progress) else None


def step(
    backend: EC2ContainerServiceBackend,
    service: Service,
    primary: dict[str, Any],
    own: list[EmulatedTask],
    rt: EmulatorRuntime,
) -> None:
    now = rt.clock.now
    stages = runtime_of(service).stages
    progress = stages.get(primary["id"])
    if not isinstance(progress, Progress):
        progress = stages[primary["id"]] = Progress(0, now)
        _enter(service, primary, progress, rt)
    if _paused(service, primary, progress, now):
        return

    running = actions.live(own)
    green = [t for t in running if t.started_by == primary["id"]]
    blue = [t for t in own if t.started_by != primary["id"] and not t.is_stopped]
    stage = progress.stage
    if stage == "SCALE_UP":
        actions.launch(backend, service, primary, service.desired_count - len(green), rt)
        done = sum(1 for t in green if tasks.is_healthy(t, now)) >= service.desired_count
    elif stage == "CLEAN_UP":
        actions.stop(
            service, [t for t in blue if t.desired_status == "RUNNING"], primary["id"], now
        )
        done = not blue
    else:
        done = now - progress.entered_at >= _duration(service, stage)
    if not done:
        return
    if stage == "CLEAN_UP":
        actions.complete(service, primary)
        return
    progress.index += 1
    progress.entered_at = now
    _enter(service, primary, progress, rt)


def _duration(service: Service, stage: str) -> float:
    if stage == "BAKE_TIME":
        return float(deployment_configuration(service).get("bakeTimeInMinutes") or 0) * 60.0
    return clock.BLUE_GREEN_STAGE


def hook_details(service: Service, deployment_id: str) -> list[dict[str, Any]] | None:
    """lifecycleHookDetails of DescribeServiceDeployments (epoch seconds, as AWS JSON sends)."""
    progress = runtime_of(service).stages.get(deployment_id)
    if not isinstance(progress, Progress) or not progress.hooks:
        return None
    return [
        {
            "hookId": hook.hook_id,
            "targetType": "PAUSE",
            "status": hook.status,
            **({"expiresAt": hook.expires_wall.timestamp()} if hook.expires_wall else {}),
            **({"timeoutAction": hook.timeout_action} if hook.timeout_action else {}),
        }
        for hook in progress.hooks
    ]


def answer_hook(service: Service, deployment: dict[str, Any], hook_id: str, action: str) -> None:
    """ContinueServiceDeployment: CONTINUE lets the stage go on; ROLLBACK fails the deployment."""
    progress = runtime_of(service).stages.get(deployment["id"])
    waiting = progress.waiting if isinstance(progress, Progress) else None
    if waiting is None:
        raise HookError("ConflictException", "The service deployment is not paused at a hook.")
    if waiting.hook_id != hook_id:
        raise HookError("InvalidParameterException", f"The hook {hook_id} is not awaiting action.")
    waiting.status = "SUCCEEDED"
    if action == "ROLLBACK":
        _roll_back(service, deployment, "ContinueServiceDeployment (ROLLBACK)")


def _enter(
    service: Service, primary: dict[str, Any], progress: Progress, rt: EmulatorRuntime
) -> None:
    """Announce the stage and, in the same tick, open its PAUSE hook if it has one."""
    now = rt.clock.now
    if rt.faults.stage_events:
        _announce(service, primary, progress)
    if _is_rollback(service, primary):
        return  # a rollback goes back to blue without stopping at hooks
    for hook in deployment_configuration(service).get("lifecycleHooks") or ():
        if hook.get("targetType") == "PAUSE" and progress.stage in (
            hook.get("lifecycleStages") or ()
        ):
            timeout = hook.get("timeoutConfiguration") or {}
            minutes = timeout.get("timeoutInMinutes")
            progress.hooks.append(
                PauseHook(
                    stage=progress.stage,
                    expires_at=now + float(minutes) * 60.0 if minutes else None,
                    expires_wall=utcnow() + timedelta(minutes=float(minutes)) if minutes else None,
                    timeout_action=timeout.get("action") if minutes else None,
                )
            )
            return


def _is_rollback(service: Service, deployment: dict[str, Any]) -> bool:
    return any(
        record.rollback is not None and record.rollback.deployment is deployment
        for record in runtime_of(service).service_deployments.values()
    )


def _paused(service: Service, primary: dict[str, Any], progress: Progress, now: float) -> bool:
    """Whether a PAUSE hook holds the deployment; an expired one applies its timeout action."""
    waiting = progress.waiting
    if waiting is None:
        return False
    if waiting.expires_at is None or now < waiting.expires_at:
        return True
    waiting.status = "TIMED_OUT"
    if waiting.timeout_action == "ROLLBACK":
        _roll_back(service, primary, "lifecycle hook timed out (ROLLBACK)")
        return True
    return False


def _roll_back(service: Service, deployment: dict[str, Any], why: str) -> None:
    reason = f"ECS deployment {deployment['id']} rolled back: {why}."
    deployment["rolloutState"] = FAILED
    deployment["rolloutStateReason"] = reason
    deployment["updatedAt"] = utcnow()
    add_event(service, f"(service {service.name}) (deployment {deployment['id']}) {reason}")
    service_deployments.roll_back(service, deployment, reason, why)


def _announce(service: Service, primary: dict[str, Any], progress: Progress) -> None:
    add_event(
        service,
        f"(service {service.name}) (deployment {primary['id']}) entered lifecycle stage "
        f"{progress.stage}.",
    )
