"""The service scheduler: one `step` per service per tick.

Rolling updates follow ECS's documented rules: start tasks of the PRIMARY deployment within
maximumPercent, stop tasks of older deployments while minimumHealthyPercent stays met, mark
the PRIMARY COMPLETED once it runs desiredCount healthy tasks and nothing else runs, and trip
the circuit breaker after `failure_threshold` failed tasks.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from moto.core.utils import utcnow
from moto.ecs.models import Service

from . import bluegreen, service_deployments, tasks
from .actions import complete, launch, live, service_tasks, stop
from .deployments import (
    ACTIVE,
    FAILED,
    IN_PROGRESS,
    PRIMARY,
    add_event,
    breaker,
    deployment_configuration,
    failure_threshold,
    is_blue_green,
    primary_of,
    resets_on_healthy_task,
    runtime_of,
)
from .runtime import EmulatorRuntime
from .task_model import EmulatedTask

if TYPE_CHECKING:
    from moto.ecs.models import EC2ContainerServiceBackend


def step(backend: EC2ContainerServiceBackend, service: Service, rt: EmulatorRuntime) -> None:
    runtime_of(service).env = rt
    own = service_tasks(backend, service)
    _drop_failed(service, own)
    _count_failures(service, own, rt.clock.now)
    if service.status != "ACTIVE":
        _stop_all(service, own, rt.clock.now)
    elif service.deployment_controller.get("type", "ECS") == "ECS":
        primary = primary_of(service)
        if primary is not None:
            _check_breaker(backend, service, primary, rt)
            primary = primary_of(service)
            assert primary is not None
            if is_blue_green(service) and primary["rolloutState"] == IN_PROGRESS:
                bluegreen.step(backend, service, primary, own, rt)
            else:
                roll(backend, service, primary, own, rt)
    refresh_counts(service, service_tasks(backend, service))
    primary = primary_of(service)
    if primary is not None and primary["rolloutState"] == IN_PROGRESS:
        _maybe_complete(service, primary, service_tasks(backend, service), rt.clock.now)
    service_deployments.step(service)


def roll(
    backend: EC2ContainerServiceBackend,
    service: Service,
    primary: dict[str, Any],
    own: list[EmulatedTask],
    rt: EmulatorRuntime,
) -> None:
    """One rolling-update step for the PRIMARY deployment."""
    now = rt.clock.now
    desired = service.desired_count
    config = deployment_configuration(service)
    max_total = desired * int(config.get("maximumPercent", 200)) // 100
    min_healthy = math.ceil(desired * int(config.get("minimumHealthyPercent", 100)) / 100)
    if max_total <= desired:
        # ECS needs room to either start or stop; without it, let one old task go first.
        min_healthy = min(min_healthy, max(max_total - 1, 0))
    running = live(own)
    mine = [t for t in running if t.started_by == primary["id"]]
    others = [t for t in running if t.started_by != primary["id"]]

    if len(mine) > desired:
        extra = sorted(mine, key=lambda t: (tasks.is_healthy(t, now), -t.launched_at))
        stop(service, extra[: len(mine) - desired], primary["id"], now)
        mine = [t for t in mine if t.desired_status == "RUNNING"]

    # A FAILED PRIMARY (breaker without rollback) stops launching: the stall ECS documents.
    if primary["rolloutState"] != FAILED:
        room = max_total - len(mine) - len(others)
        launch(backend, service, primary, min(desired - len(mine), room), rt)

    healthy = sum(1 for t in live(own) if tasks.is_healthy(t, now))
    unhealthy_others = [t for t in others if not tasks.is_healthy(t, now)]
    healthy_others = [t for t in others if tasks.is_healthy(t, now)]
    spare = max(healthy - min_healthy, 0)
    stop(service, unhealthy_others + healthy_others[:spare], primary["id"], now)


def refresh_counts(service: Service, own: list[EmulatedTask]) -> None:
    now = utcnow()
    for deployment in service.deployments:
        mine = [t for t in own if t.started_by == deployment["id"] and not t.is_stopped]
        running = sum(1 for t in mine if t.last_status == "RUNNING")
        pending = sum(
            1 for t in mine if t.desired_status == "RUNNING" and t.last_status != "RUNNING"
        )
        desired = (
            service.desired_count
            if deployment["status"] != ACTIVE
            else sum(1 for t in mine if t.desired_status == "RUNNING")
        )
        counts = {"runningCount": running, "pendingCount": pending, "desiredCount": desired}
        if any(deployment.get(k) != v for k, v in counts.items()):
            deployment.update(counts)
            deployment["updatedAt"] = now
    service.running_count = sum(1 for t in own if t.last_status == "RUNNING")
    service.pending_count = sum(
        1 for t in own if t.desired_status == "RUNNING" and t.last_status != "RUNNING"
    )


def _maybe_complete(
    service: Service, primary: dict[str, Any], own: list[EmulatedTask], now: float
) -> None:
    if is_blue_green(service):
        return  # blue/green completes at the end of CLEAN_UP (bluegreen.py)
    mine = [t for t in own if t.started_by == primary["id"]]
    healthy = sum(1 for t in mine if tasks.is_healthy(t, now))
    leftovers = [t for t in own if t.started_by != primary["id"] and not t.is_stopped]
    if healthy >= service.desired_count and not leftovers:
        complete(service, primary)


def _drop_failed(service: Service, own: list[EmulatedTask]) -> None:
    """A FAILED deployment that is no longer PRIMARY leaves deployments[] once none of its
    tasks runs (or is still meant to): ECS drops it within a second or two of the rollback,
    so a client polling every few seconds may never see FAILED there; the service deployment
    (ListServiceDeployments / DescribeServiceDeployments) keeps the outcome."""
    keep = []
    for deployment in service.deployments:
        if deployment["status"] != PRIMARY and deployment["rolloutState"] == FAILED:
            mine = [t for t in own if t.started_by == deployment["id"]]
            if not any(t.desired_status == "RUNNING" or t.last_status == "RUNNING" for t in mine):
                continue
        keep.append(deployment)
    if len(keep) != len(service.deployments):
        service.deployments[:] = keep


def _count_failures(service: Service, own: list[EmulatedTask], now: float) -> None:
    """failedTasks of each IN_PROGRESS deployment. botocore's Deployment.failedTasks: "The
    number of consecutively failed tasks in the deployment."; with resetOnHealthyTask (default
    true) "a task that reaches a healthy state resets the failure count to 0", without it the
    count is cumulative. (The older note "Once a service deployment has one or more
    successfully running tasks, the failed task count resets to zero and stops being
    evaluated" is read as the reset: the emulator keeps evaluating, as the consecutive model
    ECS announced with resetOnHealthyTask does.)"""
    by_id: dict[str, dict[str, Any]] = {str(d["id"]): d for d in service.deployments}
    reset = resets_on_healthy_task(
        deployment_configuration(service).get("deploymentCircuitBreaker")
    )
    for task in own:
        deployment = by_id.get(task.started_by)
        if deployment is None or deployment["rolloutState"] != IN_PROGRESS:
            continue
        if reset and not task.healthy_counted and tasks.is_healthy(task, now):
            task.healthy_counted = True
            if int(deployment["failedTasks"]):
                deployment["failedTasks"] = 0
                deployment["updatedAt"] = utcnow()
        if not task.failed or task.failure_counted:
            continue
        task.failure_counted = True
        deployment["failedTasks"] = int(deployment["failedTasks"]) + 1
        deployment["updatedAt"] = utcnow()


def _check_breaker(
    backend: EC2ContainerServiceBackend,
    service: Service,
    primary: dict[str, Any],
    rt: EmulatorRuntime,
) -> None:
    enabled, rollback = breaker(service)
    if not enabled or primary["rolloutState"] != IN_PROGRESS:
        return
    circuit_breaker = deployment_configuration(service).get("deploymentCircuitBreaker")
    if primary["failedTasks"] < failure_threshold(service.desired_count, circuit_breaker):
        return
    primary["rolloutState"] = FAILED
    primary["rolloutStateReason"] = "ECS deployment circuit breaker: tasks failed to start."
    primary["updatedAt"] = utcnow()
    add_event(
        service,
        f"(service {service.name}) (deployment {primary['id']}) deployment failed: "
        "tasks failed to start.",
    )
    if rollback:
        service_deployments.roll_back(
            service,
            primary,
            primary["rolloutStateReason"],
            "ECS deployment circuit breaker",
            reuse=rt.modes.rollback == "reuse",
        )


def _stop_all(service: Service, own: list[EmulatedTask], now: float) -> None:
    victims = live(own)
    primary = primary_of(service)
    stop(service, victims, primary["id"] if primary else "", now)
