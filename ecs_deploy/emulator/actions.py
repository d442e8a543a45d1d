"""What the service scheduler does to a service: start, stop, find its tasks, complete."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from moto.core.utils import utcnow
from moto.ecs.models import Service

from . import clock, tasks
from .deployments import COMPLETED, add_event, runtime_of, task_list
from .runtime import EmulatorRuntime
from .task_model import EmulatedTask, Launch

if TYPE_CHECKING:
    from moto.ecs.models import EC2ContainerServiceBackend

NO_PLACEMENT = (
    "was unable to place a task because no container instance met all of its requirements. "
    "Reason: No Container Instances were found in your cluster. For more information, see "
    "the Troubleshooting section of the Amazon ECS Developer Guide."
)


def service_tasks(backend: EC2ContainerServiceBackend, service: Service) -> list[EmulatedTask]:
    group = f"service:{service.name}"
    return [
        t
        for t in backend.tasks.get(service.cluster_name, {}).values()
        if isinstance(t, EmulatedTask) and t.group == group
    ]


def live(own: list[EmulatedTask]) -> list[EmulatedTask]:
    return [t for t in own if t.desired_status == "RUNNING"]


def launch(
    backend: EC2ContainerServiceBackend,
    service: Service,
    deployment: dict[str, Any],
    count: int,
    rt: EmulatorRuntime,
) -> None:
    """Start `count` tasks for `deployment`, or say why they cannot be placed."""
    if count <= 0:
        return
    definition = backend.describe_task_definition(deployment["taskDefinition"])
    state = runtime_of(service)
    began = state.began.get(str(deployment["id"]), 0.0)
    if tasks.placement_blocked(definition, rt.faults, rt.clock.now - began):
        last = state.last_placement_event
        if last is None or rt.clock.now - last >= clock.PLACEMENT_RETRY:
            state.last_placement_event = rt.clock.now
            add_event(service, f"(service {service.name}) {NO_PLACEMENT}")
        return
    cluster = backend._get_cluster(service.cluster_name)
    request = Launch(
        group=f"service:{service.name}",
        started_by=deployment["id"],
        launch_type=service.launch_type or "FARGATE",
        network_configuration=getattr(service, "network_configuration", None) or None,
        platform_version=getattr(service, "platform_version", None),
        keep_running=True,
    )
    started = [
        tasks.launch_task(backend, cluster, definition, request, rt.faults, rt.clock.now)
        for _ in range(count)
    ]
    noun = "task" if count == 1 else "tasks"
    add_event(
        service,
        f"(service {service.name}) has started {count} {noun}: "
        f"{task_list([t.id for t in started])}.",
    )


def stop(service: Service, victims: list[EmulatedTask], deployment_id: str, now: float) -> None:
    if not victims:
        return
    for task in victims:
        tasks.request_stop(
            task,
            now,
            "ServiceSchedulerInitiated",
            f"Scaling activity initiated by (deployment {deployment_id})",
        )
    add_event(
        service,
        f"(service {service.name}) has stopped {len(victims)} running tasks: "
        f"{task_list([t.id for t in victims])}.",
    )


def complete(service: Service, primary: dict[str, Any]) -> None:
    primary["rolloutState"] = COMPLETED
    primary["rolloutStateReason"] = f"ECS deployment {primary['id']} completed."
    primary["updatedAt"] = utcnow()
    service.deployments[:] = [primary]
    state = runtime_of(service)
    state.last_completed = (primary["id"], primary["taskDefinition"])
    state.completed = primary
    add_event(
        service, f"(service {service.name}) (deployment {primary['id']}) deployment completed."
    )
    add_event(service, f"(service {service.name}) has reached a steady state.")
