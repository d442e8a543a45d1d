"""Service deployment records and service events, worded and shaped as ECS does."""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from moto.core.utils import utcnow
from moto.ecs.models import Service

from .records import ServiceDeploymentRecord, ServiceRevision

if TYPE_CHECKING:
    from .runtime import EmulatorRuntime

PRIMARY, ACTIVE = "PRIMARY", "ACTIVE"
IN_PROGRESS, COMPLETED, FAILED = "IN_PROGRESS", "COMPLETED", "FAILED"
MAX_EVENTS = 100  # ECS keeps the latest 100 events
# "duplicate event messages are omitted until either the cause is resolved or six hours
# passes" (ECS developer guide, "Service event messages",
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages.html)
DEDUP_WINDOW = 6 * 3600.0
UNABLE_TO_PLACE = "was unable to place a task"
HAS_STARTED = ") has started "
STEADY_STATE = "has reached a steady state."


@dataclass(slots=True)
class ServiceRuntime:
    """Emulator bookkeeping kept on a moto Service (dies with it on reset)."""

    last_completed: tuple[str, str] | None = None  # (deployment id, task definition ARN)
    last_placement_event: float | None = None
    stages: dict[str, Any] = field(default_factory=dict)  # deployment id -> blue/green progress
    revisions: dict[str, ServiceRevision] = field(default_factory=dict)  # by revision id
    revision_of: dict[str, str] = field(default_factory=dict)  # ECS deployment id -> revision id
    # service deployment id -> record, oldest first
    service_deployments: dict[str, ServiceDeploymentRecord] = field(default_factory=dict)
    record_of: dict[str, str] = field(default_factory=dict)  # ECS deployment id -> record id
    env: EmulatorRuntime | None = None  # the runtime last seen acting on this service
    completed: dict[str, Any] | None = None  # the last COMPLETED deployment (rollback reuse)
    began: dict[str, float] = field(default_factory=dict)  # deployment id -> ECS start time
    event_seen: dict[str, float] = field(default_factory=dict)  # message -> ECS time (dedup)


def runtime_of(service: Service) -> ServiceRuntime:
    found = getattr(service, "emulator_runtime", None)
    if isinstance(found, ServiceRuntime):
        return found
    fresh = ServiceRuntime()
    service.emulator_runtime = fresh  # type: ignore[attr-defined]
    return fresh


def new_deployment_id() -> str:
    return f"ecs-svc/{random.randrange(10**18, 10**19)}"


def deployment_configuration(service: Service) -> dict[str, Any]:
    """The service's deploymentConfiguration with ECS's defaults filled in."""
    given = getattr(service, "deployment_configuration", None) or {}
    merged: dict[str, Any] = {
        "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
    }
    merged.update({k: v for k, v in given.items() if v is not None})
    return merged


def is_blue_green(service: Service) -> bool:
    return deployment_configuration(service).get("strategy") == "BLUE_GREEN"


def breaker(service: Service) -> tuple[bool, bool]:
    """(enabled, rollback) of the deployment circuit breaker."""
    cb = deployment_configuration(service).get("deploymentCircuitBreaker") or {}
    return bool(cb.get("enable")), bool(cb.get("rollback"))


def failure_threshold(desired_count: int, circuit_breaker: dict[str, Any] | None = None) -> int:
    """Failed tasks that trip the breaker, from deploymentCircuitBreaker.thresholdConfiguration.

    botocore's ThresholdType (ECS model, 2014-11-13): BOUNDED_PERCENT "multiplying value by
    the latest service desired count, then clamping the result to a minimum of 3 and a maximum
    of 200. This is the default threshold type, with a default value of 50."; COUNT "uses the
    integer provided in value directly"; UNBOUNDED_PERCENT "without applying the 3-to-200
    bounds". The emulator rounds a percentage up and never goes below 1 failed task.
    """
    config = (circuit_breaker or {}).get("thresholdConfiguration") or {}
    kind = str(config.get("type") or "BOUNDED_PERCENT")
    value = config.get("value")
    value = 50 if value is None else int(value)
    if kind == "COUNT":
        return max(1, value)
    computed = math.ceil(desired_count * value / 100)
    if kind == "UNBOUNDED_PERCENT":
        return max(1, computed)
    return min(200, max(3, computed))


def resets_on_healthy_task(circuit_breaker: dict[str, Any] | None) -> bool:
    """deploymentCircuitBreaker.resetOnHealthyTask: "The default is true." (botocore)."""
    value = (circuit_breaker or {}).get("resetOnHealthyTask")
    return True if value is None else bool(value)


def primary_of(service: Service) -> dict[str, Any] | None:
    return next((d for d in service.deployments if d.get("status") == PRIMARY), None)


def start_deployment(
    service: Service, task_definition_arn: str, reason: str | None = None
) -> dict[str, Any]:
    """A new PRIMARY deployment of `task_definition_arn`; the previous PRIMARY turns ACTIVE."""
    now = utcnow()
    deployment_id = new_deployment_id()
    deployment: dict[str, Any] = {
        "id": deployment_id,
        "status": PRIMARY,
        "taskDefinition": task_definition_arn,
        "desiredCount": service.desired_count,
        "pendingCount": 0,
        "runningCount": 0,
        "failedTasks": 0,
        "createdAt": now,
        "updatedAt": now,
        "launchType": service.launch_type,
        "platformVersion": getattr(service, "platform_version", None)
        or ("LATEST" if service.launch_type == "FARGATE" else None),
        "platformFamily": "Linux" if service.launch_type == "FARGATE" else None,
        "networkConfiguration": getattr(service, "network_configuration", None) or None,
        "rolloutState": IN_PROGRESS,
        "rolloutStateReason": reason or f"ECS deployment {deployment_id} in progress.",
    }
    for existing in service.deployments:
        if existing.get("status") == PRIMARY:
            existing["status"] = ACTIVE
            existing["updatedAt"] = now
    service.deployments.insert(0, deployment)
    service.task_definition = task_definition_arn
    state = runtime_of(service)
    if state.env is not None:
        state.began[deployment_id] = state.env.clock.now
    _resolved(state, STEADY_STATE)  # a new deployment: the service is no longer steady
    return deployment


def reopen_deployment(service: Service, deployment: dict[str, Any], reason: str) -> dict[str, Any]:
    """Put an earlier deployment (the last COMPLETED one) back in progress as the PRIMARY:
    same id and createdAt, rolloutState IN_PROGRESS again (rollback mode "reuse")."""
    now = utcnow()
    for existing in service.deployments:
        if existing is not deployment and existing.get("status") == PRIMARY:
            existing["status"] = ACTIVE
            existing["updatedAt"] = now
    deployment.update(
        status=PRIMARY, rolloutState=IN_PROGRESS, rolloutStateReason=reason, updatedAt=now
    )
    service.deployments[:] = [deployment] + [d for d in service.deployments if d is not deployment]
    service.task_definition = deployment["taskDefinition"]
    state = runtime_of(service)
    if state.env is not None:
        state.began[deployment["id"]] = state.env.clock.now
    _resolved(state, STEADY_STATE)
    _resolved(state, f"(deployment {deployment['id']})")  # its "completed" may come again
    return deployment


def add_event(service: Service, message: str) -> None:
    """Newest first, as DescribeServices shows them.

    With the event_dedup mode a message already shown is left out until its cause is resolved
    or DEDUP_WINDOW ECS seconds passed. Resolved means: for "was unable to place a task", a
    task of the service was placed ("has started" event); for "has reached a steady state.",
    a new deployment started. Nothing else resolves a message (another message in between
    does not): it comes back after six ECS hours.
    """
    state = runtime_of(service)
    env = state.env
    if env is not None and env.modes.event_dedup:
        now = env.clock.now
        shown = state.event_seen.get(message)
        if shown is not None and now - shown < DEDUP_WINDOW:
            return
        state.event_seen[message] = now
        if HAS_STARTED in message:
            _resolved(state, UNABLE_TO_PLACE)
    service.events.insert(0, {"id": str(uuid.uuid4()), "createdAt": utcnow(), "message": message})
    del service.events[MAX_EVENTS:]


def _resolved(state: ServiceRuntime, fragment: str) -> None:
    for message in [m for m in state.event_seen if fragment in m]:
        del state.event_seen[message]


def task_list(task_ids: list[str]) -> str:
    return " ".join(f"(task {task_id})" for task_id in task_ids)
