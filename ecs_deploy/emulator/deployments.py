"""Service deployment records and service events, worded and shaped as ECS does."""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from moto.core.utils import utcnow
from moto.ecs.models import Service

from .records import ServiceDeploymentRecord, ServiceRevision

PRIMARY, ACTIVE = "PRIMARY", "ACTIVE"
IN_PROGRESS, COMPLETED, FAILED = "IN_PROGRESS", "COMPLETED", "FAILED"
MAX_EVENTS = 100  # ECS keeps the latest 100 events


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


def failure_threshold(desired_count: int) -> int:
    """ECS: half the desired count, at least 3 and at most 200 failed tasks."""
    return min(200, max(3, math.ceil(desired_count * 0.5)))


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
    return deployment


def add_event(service: Service, message: str) -> None:
    """Newest first, as DescribeServices shows them."""
    service.events.insert(0, {"id": str(uuid.uuid4()), "createdAt": utcnow(), "message": message})
    del service.events[MAX_EVENTS:]


def task_list(task_ids: list[str]) -> str:
    return " ".join(f"(task {task_id})" for task_id in task_ids)
