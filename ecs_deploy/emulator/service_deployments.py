"""Service deployments (the 2024-10 ECS API) derived from the emulator's ECS deployments.

One service deployment per deployment a user starts (CreateService, UpdateService). A rollback,
by the circuit breaker or by StopServiceDeployment, is a new ECS deployment but not a new
service deployment: it shows on the service deployment it rolls back, as ECS shows it.

Status, as the ECS developer guide documents it:
PENDING -> IN_PROGRESS (next tick) -> SUCCESSFUL (rolloutState COMPLETED)
                                   -> STOPPED (FAILED without rollback, superseded by a newer
                                      service deployment, StopServiceDeployment ABORT)
                                   -> ROLLBACK_REQUESTED (StopServiceDeployment ROLLBACK)
                                      -> ROLLBACK_IN_PROGRESS -> ROLLBACK_SUCCESSFUL | _FAILED
(the circuit breaker's rollback starts in the tick it trips: straight to ROLLBACK_IN_PROGRESS).
"""

from __future__ import annotations

import copy
import secrets
import string
from datetime import datetime, timedelta
from typing import Any

from moto.core.utils import utcnow
from moto.ecs.models import Service

from .deployments import (
    COMPLETED,
    FAILED,
    IN_PROGRESS,
    deployment_configuration,
    reopen_deployment,
    runtime_of,
    start_deployment,
)
from .records import Rollback, ServiceDeploymentRecord, ServiceRevision

PENDING, SUCCESSFUL, STOPPED = "PENDING", "SUCCESSFUL", "STOPPED"
STOP_REQUESTED, ROLLBACK_REQUESTED = "STOP_REQUESTED", "ROLLBACK_REQUESTED"
ROLLBACK_IN_PROGRESS = "ROLLBACK_IN_PROGRESS"
ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED = "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"
FINISHED = frozenset({SUCCESSFUL, STOPPED, ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED})
ROLLBACK, ABORT = "ROLLBACK", "ABORT"

SUPERSEDED = "Service deployment stopped: a newer service deployment started."
ABORTED = "Service deployment stopped: StopServiceDeployment (ABORT)."
MANUAL_ROLLBACK = "Rollback requested: StopServiceDeployment (ROLLBACK)."
NOTHING_TO_ROLL_BACK_TO = "No completed service revision to roll back to."


class StopConflict(Exception):
    """The service deployment has finished; there is nothing to stop."""


_ID_ALPHABET = string.ascii_letters + string.digits


def short_id(deployment_id: str) -> str:
    """`ecs-svc/1234` -> `1234`: the id part of service deployment and revision ARNs."""
    return deployment_id.rsplit("/", 1)[-1]


def random_id() -> str:
    """A service deployment / revision id as AWS gives them: 21 letters and digits, as in
    `arn:aws:ecs:us-east-1:123456789012:service-deployment/cluster/service/ejGvqq2ilnbKT9qj0vLJe`
    (ECS API reference, DescribeServiceDeployments example)."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(21))


def record_for(service: Service, deployment: dict[str, Any]) -> ServiceDeploymentRecord | None:
    """The service deployment that tracks this ECS deployment (None for a rollback's)."""
    state = runtime_of(service)
    record_id = state.record_of.get(str(deployment["id"]))
    return state.service_deployments.get(record_id) if record_id is not None else None


def current_arn(service: Service) -> str | None:
    """service.currentServiceDeployment: the newest service deployment, as of
    `current_service_deployment_lag` ticks ago (AWS gives no promise it is up to date)."""
    state = runtime_of(service)
    env = state.env
    lag = env.modes.current_service_deployment_lag if env is not None else 0
    tick = env.clock.ticks if env is not None else 0
    newest = next(
        (r for r in reversed(state.service_deployments.values()) if r.opened_tick <= tick - lag),
        None,
    )
    if newest is None:
        return None
    return f"{service.arn.replace(':service/', ':service-deployment/', 1)}/{newest.id}"


def refresh_current(service: Service) -> None:
    """Put currentServiceDeployment where moto's serializer reads Service members."""
    service.current_service_deployment = current_arn(service)  # type: ignore[attr-defined]


def open_record(service: Service, deployment: dict[str, Any]) -> ServiceDeploymentRecord:
    """A user-started ECS deployment: its service revision and a PENDING service deployment.

    Older unfinished service deployments are STOPPED (ECS keeps draining their tasks).
    """
    state = runtime_of(service)
    now = utcnow()
    env = state.env
    if env is not None and env.modes.service_deployment_ids == "random":
        record_id, revision_id = random_id(), random_id()
    else:
        record_id = revision_id = short_id(deployment["id"])
    # service_deployment_skew: the record's createdAt is the ECS deployment's plus this many
    # ECS seconds (AWS documents no relation between the two timestamps).
    skew = env.modes.service_deployment_skew if env is not None else 0.0
    wall = env.clock.wall_seconds_per_ecs_second if env is not None else 1.0
    created = deployment["createdAt"] + timedelta(seconds=skew * wall) if skew else now
    state.revisions[revision_id] = ServiceRevision(
        id=revision_id,
        task_definition=deployment["taskDefinition"],
        launch_type=deployment.get("launchType"),
        platform_version=deployment.get("platformVersion"),
        platform_family=deployment.get("platformFamily"),
        network_configuration=copy.deepcopy(deployment.get("networkConfiguration")),
        created_at=now,
    )
    state.revision_of[deployment["id"]] = revision_id
    state.record_of[deployment["id"]] = record_id
    for older in state.service_deployments.values():
        if older.status not in FINISHED:
            _move(older, STOPPED, SUPERSEDED, now)
    record = ServiceDeploymentRecord(
        id=record_id,
        deployment=deployment,
        sources=[d for d in service.deployments if d is not deployment],
        created_at=created,
        updated_at=now,
        revision_id=revision_id,
        opened_tick=env.clock.ticks if env is not None else 0,
    )
    state.service_deployments[record_id] = record
    refresh_current(service)
    return record


def configuration_of(service: Service, record: ServiceDeploymentRecord) -> dict[str, Any]:
    """The deploymentConfiguration the service deployment runs with."""
    if record.configuration is not None:
        return record.configuration
    return copy.deepcopy(deployment_configuration(service))


def roll_back(
    service: Service, failed: dict[str, Any], reason: str, by: str, *, reuse: bool = False
) -> dict[str, Any] | None:
    """Redeploy the last COMPLETED revision and show it on `failed`'s service deployment.

    `reuse` (rollback mode "reuse", the circuit breaker's): the last COMPLETED deployment
    itself becomes PRIMARY and IN_PROGRESS again (same id and createdAt), as the developer
    guide puts it: "the service is rolled back to the last deployment that completed
    successfully" (DeploymentCircuitBreaker.rollback, ECS API reference). Otherwise a new
    deployment of its task definition starts. Either way rolloutStateReason reads
    "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/..." as ECS words it
    (seen in DescribeServices output published by users, e.g. aws-samples and fabfuel's tests).

    None when the service never completed a deployment (ECS then stalls instead).
    """
    state = runtime_of(service)
    if state.last_completed is None:
        return None
    target_id, target_definition = state.last_completed
    why = f"{by}: rolling back to deploymentId {target_id}."
    if reuse and state.completed is not None and state.completed["id"] == target_id:
        deployment = reopen_deployment(service, state.completed, why)
    else:
        deployment = start_deployment(service, target_definition, reason=why)
    revision_id = state.revision_of.get(target_id)
    if revision_id is not None:
        state.revision_of[deployment["id"]] = revision_id
    record = record_for(service, failed)
    if record is not None and record.rollback is None:
        record.rollback = Rollback(reason, utcnow(), revision_id, deployment)
    return deployment


def request_stop(record: ServiceDeploymentRecord, stop_type: str) -> None:
    """StopServiceDeployment: the scheduler acts on it at its next tick."""
    if record.status in FINISHED:
        raise StopConflict(f"The service deployment is already {record.status}.")
    if record.stop_type is not None or record.rollback is not None:
        return  # ECS: a stop or rollback already under way just continues
    record.stop_type = stop_type
    _move(record, ROLLBACK_REQUESTED if stop_type == ROLLBACK else STOP_REQUESTED, None, utcnow())


def step(service: Service) -> None:
    """Once per tick, after the scheduler moved the service: act on stops, update statuses."""
    now = utcnow()
    for record in list(runtime_of(service).service_deployments.values()):
        if record.status in FINISHED:
            continue
        _act_on_stop(service, record)
        status, reason = _derive(record)
        if record.status == PENDING and status == IN_PROGRESS:
            record.started_at = now
            # Taken now, not at creation: CreateService's configuration is put on the
            # service after moto created it (hooks.py).
            record.configuration = configuration_of(service, record)
        if status != record.status or reason != record.status_reason:
            _move(record, status, reason, now)
    refresh_current(service)


def _act_on_stop(service: Service, record: ServiceDeploymentRecord) -> None:
    deployment = record.deployment
    if record.stop_type == ROLLBACK and record.rollback is None:
        if roll_back(service, deployment, MANUAL_ROLLBACK, "StopServiceDeployment") is None:
            _move(record, ROLLBACK_FAILED, NOTHING_TO_ROLL_BACK_TO, utcnow())
    elif record.stop_type == ABORT and deployment["rolloutState"] == IN_PROGRESS:
        # FAILED is what makes the scheduler stop launching tasks for it (see services.roll).
        deployment["rolloutState"] = FAILED
        deployment["rolloutStateReason"] = f"ECS deployment {deployment['id']} stopped."
        deployment["updatedAt"] = utcnow()


def _derive(record: ServiceDeploymentRecord) -> tuple[str, str | None]:
    if record.status in FINISHED:
        return record.status, record.status_reason
    if record.rollback is not None:
        rollback = record.rollback.deployment
        if rollback["rolloutState"] == COMPLETED:
            return ROLLBACK_SUCCESSFUL, record.rollback.reason
        if rollback["rolloutState"] == FAILED:
            return ROLLBACK_FAILED, str(rollback["rolloutStateReason"])
        return ROLLBACK_IN_PROGRESS, record.rollback.reason
    if record.stop_type == ABORT:
        return STOPPED, ABORTED
    if record.stop_type == ROLLBACK:
        return ROLLBACK_REQUESTED, MANUAL_ROLLBACK
    state = record.deployment["rolloutState"]
    if state == COMPLETED:
        return SUCCESSFUL, str(record.deployment["rolloutStateReason"])
    if state == FAILED:
        return STOPPED, str(record.deployment["rolloutStateReason"])
    return IN_PROGRESS, None


def _move(record: ServiceDeploymentRecord, status: str, reason: str | None, now: datetime) -> None:
    record.status = status
    record.status_reason = reason
    record.updated_at = now
    if status in FINISHED:
        record.finished_at = now
        if record.started_at is None:
            record.started_at = now
    if status == STOPPED:
        record.stopped_at = now
