"""ECS-native blue/green (deploymentConfiguration.strategy = BLUE_GREEN).

The PRIMARY deployment walks the documented lifecycle stages in order. The green tasks are
started in SCALE_UP (all at once: blue keeps serving), traffic "shifts" in the traffic stages,
BAKE_TIME lasts bakeTimeInMinutes, and CLEAN_UP stops the blue tasks. Each stage entered is
announced as a service event "(service X) (deployment Y) entered lifecycle stage STAGE." and
kept as `lifecycleStage` for DescribeServiceDeployments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from moto.ecs.models import Service

from . import actions, clock, tasks
from .deployments import add_event, deployment_configuration, runtime_of

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
class Progress:
    index: int
    entered_at: float

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
        _announce(service, primary, progress)

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
    _announce(service, primary, progress)


def _duration(service: Service, stage: str) -> float:
    if stage == "BAKE_TIME":
        return float(deployment_configuration(service).get("bakeTimeInMinutes") or 0) * 60.0
    return clock.STAGE


def _announce(service: Service, primary: dict[str, Any], progress: Progress) -> None:
    add_event(
        service,
        f"(service {service.name}) (deployment {primary['id']}) entered lifecycle stage "
        f"{progress.stage}.",
    )
