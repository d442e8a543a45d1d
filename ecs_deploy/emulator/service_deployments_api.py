"""ListServiceDeployments, DescribeServiceDeployments, StopServiceDeployment and
DescribeServiceRevisions (moto lacks them), answered from the records service_deployments.py
keeps. Shapes follow botocore's ECS model; timestamps are epoch seconds, as AWS JSON sends them.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from moto.core.exceptions import ServiceException
from moto.ecs.models import EC2ContainerServiceBackend, Service

from . import bluegreen
from .deployments import failure_threshold, is_blue_green, runtime_of
from .records import ServiceDeploymentRecord, ServiceRevision
from .service_deployments import (
    FINISHED,
    ROLLBACK,
    StopConflict,
    configuration_of,
    request_stop,
)

MAX_DESCRIBE = 20  # DescribeServiceDeployments / DescribeServiceRevisions take up to 20 ARNs
DEFAULT_PAGE, MAX_PAGE = 20, 100
STOP_TYPES = ("ROLLBACK", "ABORT")


class ServiceDeploymentsError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


Responder = Callable[[EC2ContainerServiceBackend, dict[str, Any]], dict[str, Any]]


def list_service_deployments(
    backend: EC2ContainerServiceBackend, params: dict[str, Any]
) -> dict[str, Any]:
    service = _service(backend, str(params.get("cluster") or "default"), str(params["service"]))
    wanted = set(params.get("status") or [])
    window = params.get("createdAt") or {}
    after, before = window.get("after"), window.get("before")
    found = [
        r
        for r in reversed(runtime_of(service).service_deployments.values())  # newest first
        if (not wanted or r.status in wanted)
        and (after is None or _seconds(r.created_at) >= float(after))
        and (before is None or _seconds(r.created_at) <= float(before))
    ]
    start = _decode_token(params.get("nextToken"))
    size = int(params.get("maxResults") or DEFAULT_PAGE)
    if not 1 <= size <= MAX_PAGE:
        raise ServiceDeploymentsError(
            "InvalidParameterException", f"maxResults must be between 1 and {MAX_PAGE}."
        )
    page = found[start : start + size]
    answer: dict[str, Any] = {"serviceDeployments": [_brief(backend, service, r) for r in page]}
    if start + size < len(found):
        answer["nextToken"] = _encode_token(start + size)
    return answer


def _describe_each(
    backend: EC2ContainerServiceBackend,
    arns: list[str],
    kind: str,
    render: Callable[[Any, str], dict[str, Any] | None],
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Describe-by-ARN the ECS way: what exists, and a MISSING failure for the rest.

    `render(service, id)` gives the description, or None when the service has no such record.
    """
    found_items, failures = [], []
    for arn in arns:
        service = _find(backend, arn, kind)
        item = render(service, _last(arn)) if service is not None else None
        if item is None:
            failures.append({"arn": arn, "reason": "MISSING"})
        else:
            found_items.append(item)
    return found_items, failures


def describe_service_deployments(
    backend: EC2ContainerServiceBackend, params: dict[str, Any]
) -> dict[str, Any]:
    def render(service: Any, record_id: str) -> dict[str, Any] | None:
        record = runtime_of(service).service_deployments.get(record_id)
        return None if record is None else _full(backend, service, record)

    arns = _arns(params, "serviceDeploymentArns")
    deployments, failures = _describe_each(backend, arns, "service-deployment", render)
    return {"serviceDeployments": deployments, "failures": failures}


def _stage(service: Service, record: ServiceDeploymentRecord) -> str | None:
    """The stage of the moment. While ECS rolls a deployment back, the rollback's: "When a
    roll back happens, Amazon ECS runs the lifecycle hooks for the following lifecycle stages:
    PRODUCTION_TRAFFIC_SHIFT, TEST_TRAFFIC_SHIFT" (developer guide, deployment lifecycle
    hooks), so the traffic stages show again, on the way back to blue."""
    rollback = record.rollback
    if rollback is not None and record.status not in FINISHED:
        stage = bluegreen.current_stage(service, rollback.deployment["id"])
        if stage is not None:
            return stage
    return bluegreen.current_stage(service, record.deployment["id"])


def stop_service_deployment(
    backend: EC2ContainerServiceBackend, params: dict[str, Any]
) -> dict[str, Any]:
    arn = str(params["serviceDeploymentArn"])
    stop_type = str(params.get("stopType") or ROLLBACK)
    if stop_type not in STOP_TYPES:
        raise ServiceDeploymentsError(
            "InvalidParameterException", f"stopType must be one of {', '.join(STOP_TYPES)}."
        )
    service = _find(backend, arn, "service-deployment")
    record = runtime_of(service).service_deployments.get(_last(arn)) if service else None
    if record is None:
        raise ServiceDeploymentsError(
            "ServiceDeploymentNotFoundException", "The service deployment does not exist."
        )
    try:
        request_stop(record, stop_type)
    except StopConflict as error:
        raise ServiceDeploymentsError("ConflictException", str(error)) from error
    return {"serviceDeploymentArn": arn}


def describe_service_revisions(
    backend: EC2ContainerServiceBackend, params: dict[str, Any]
) -> dict[str, Any]:
    def render(service: Any, revision_id: str) -> dict[str, Any] | None:
        revision = runtime_of(service).revisions.get(revision_id)
        return None if revision is None else _revision(backend, service, revision)

    arns = _arns(params, "serviceRevisionArns")
    revisions, failures = _describe_each(backend, arns, "service-revision", render)
    return {"serviceRevisions": revisions, "failures": failures}


def continue_service_deployment(
    backend: EC2ContainerServiceBackend, params: dict[str, Any]
) -> dict[str, Any]:
    """Answer a PAUSE lifecycle hook of an ECS-native blue/green deployment (bluegreen.py)."""
    arn = str(params["serviceDeploymentArn"])
    action = str(params.get("action") or "")
    if action not in ("CONTINUE", "ROLLBACK"):
        raise ServiceDeploymentsError(
            "InvalidParameterException", "action must be one of CONTINUE, ROLLBACK."
        )
    service = _find(backend, arn, "service-deployment")
    record = runtime_of(service).service_deployments.get(_last(arn)) if service else None
    if service is None or record is None:
        raise ServiceDeploymentsError(
            "ServiceDeploymentNotFoundException", "The service deployment does not exist."
        )
    try:
        bluegreen.answer_hook(service, record.deployment, str(params.get("hookId")), action)
    except bluegreen.HookError as error:
        raise ServiceDeploymentsError(error.code, error.message) from error
    return {"serviceDeploymentArn": arn}


RESPONDERS: dict[str, Responder] = {
    "ContinueServiceDeployment": continue_service_deployment,
    "ListServiceDeployments": list_service_deployments,
    "DescribeServiceDeployments": describe_service_deployments,
    "StopServiceDeployment": stop_service_deployment,
    "DescribeServiceRevisions": describe_service_revisions,
}


# -- shapes ----------------------------------------------------------------------------------
def _brief(
    backend: EC2ContainerServiceBackend, service: Service, record: ServiceDeploymentRecord
) -> dict[str, Any]:
    return _compact(
        {
            **_owner(backend, service),
            "serviceDeploymentArn": _arn(backend, service, "service-deployment", record.id),
            "createdAt": _epoch(record.created_at),
            "startedAt": _epoch(record.started_at),
            "finishedAt": _epoch(record.finished_at),
            "targetServiceRevisionArn": _arn(
                backend, service, "service-revision", record.revision_id or record.id
            ),
            "status": record.status,
            "statusReason": record.status_reason,
        }
    )


def _full(
    backend: EC2ContainerServiceBackend, service: Service, record: ServiceDeploymentRecord
) -> dict[str, Any]:
    state = runtime_of(service)
    answer = _brief(backend, service, record)
    del answer["targetServiceRevisionArn"]  # the full shape has targetServiceRevision instead
    answer.update(
        _compact(
            {
                "updatedAt": _epoch(record.updated_at),
                "stoppedAt": _epoch(record.stopped_at),
                "sourceServiceRevisions": [
                    _summary(backend, service, state.revision_of.get(d["id"]), d)
                    for d in record.sources
                    if d["id"] in state.revision_of
                ],
                "targetServiceRevision": _summary(
                    backend, service, record.revision_id or record.id, record.deployment
                ),
                "deploymentConfiguration": configuration_of(service, record),
                "deploymentCircuitBreaker": _breaker(service, record),
                "alarms": {"status": "DISABLED"},
                "lifecycleStage": _stage(service, record) if is_blue_green(service) else None,
                "lifecycleHookDetails": bluegreen.hook_details(service, record.deployment["id"]),
                "rollback": _compact(
                    {
                        "reason": record.rollback.reason,
                        "startedAt": _epoch(record.rollback.started_at),
                        "serviceRevisionArn": _arn(
                            backend, service, "service-revision", record.rollback.revision_id
                        ),
                    }
                )
                if record.rollback is not None
                else None,
            }
        )
    )
    return answer


def _summary(
    backend: EC2ContainerServiceBackend,
    service: Service,
    revision_id: str | None,
    deployment: dict[str, Any],
) -> dict[str, Any]:
    return {
        "arn": _arn(backend, service, "service-revision", revision_id),
        "requestedTaskCount": int(deployment.get("desiredCount") or 0),
        "runningTaskCount": int(deployment.get("runningCount") or 0),
        "pendingTaskCount": int(deployment.get("pendingCount") or 0),
    }


def _breaker(service: Service, record: ServiceDeploymentRecord) -> dict[str, Any]:
    configuration = configuration_of(service, record)
    enabled = bool((configuration.get("deploymentCircuitBreaker") or {}).get("enable"))
    # FAILED with no stop asked for is the breaker's doing (ABORT sets FAILED too).
    tripped = record.deployment["rolloutState"] == "FAILED" and record.stop_type is None
    if not enabled:
        status = "DISABLED"
    elif tripped:
        status = "TRIGGERED"
    elif record.status in FINISHED:
        status = "MONITORING_COMPLETE"
    else:
        status = "MONITORING"
    return {
        "status": status,
        "failureCount": int(record.deployment.get("failedTasks") or 0),
        "threshold": failure_threshold(
            service.desired_count, configuration.get("deploymentCircuitBreaker")
        ),
    }


def _revision(
    backend: EC2ContainerServiceBackend, service: Service, revision: ServiceRevision
) -> dict[str, Any]:
    try:
        definition = backend.describe_task_definition(revision.task_definition)
        images = [
            {"containerName": c["name"], "image": c["image"]}
            for c in definition.container_definitions
        ]
    except ServiceException:  # deleted since: ECS still shows the ARN
        images = []
    return _compact(
        {
            **_owner(backend, service),
            "serviceRevisionArn": _arn(backend, service, "service-revision", revision.id),
            "taskDefinition": revision.task_definition,
            "launchType": revision.launch_type,
            "platformVersion": revision.platform_version,
            "platformFamily": revision.platform_family,
            "networkConfiguration": revision.network_configuration,
            "containerImages": images,
            "guardDutyEnabled": False,
            "createdAt": _epoch(revision.created_at),
        }
    )


# -- lookups ---------------------------------------------------------------------------------
def _service(backend: EC2ContainerServiceBackend, cluster: str, name: str) -> Service:
    try:
        return backend._get_service(cluster, name.split("/")[-1])
    except ServiceException as error:
        raise ServiceDeploymentsError(error.code, error.message) from error


def _find(backend: EC2ContainerServiceBackend, arn: str, kind: str) -> Service | None:
    """The service an ARN `arn:aws:ecs:REGION:ACCOUNT:KIND/CLUSTER/SERVICE/ID` belongs to."""
    prefix = f"arn:aws:ecs:{backend.region_name}:{backend.account_id}:{kind}/"
    parts = arn[len(prefix) :].split("/") if arn.startswith(prefix) else []
    if len(parts) != 3:
        return None
    found = backend.services.get(f"{parts[0]}:{parts[1]}")
    return found if isinstance(found, Service) else None


def _arns(params: dict[str, Any], member: str) -> list[str]:
    arns = [str(a) for a in params.get(member) or []]
    if not 1 <= len(arns) <= MAX_DESCRIBE:
        raise ServiceDeploymentsError(
            "InvalidParameterException", f"{member} must list 1 to {MAX_DESCRIBE} ARNs."
        )
    return arns


def _owner(backend: EC2ContainerServiceBackend, service: Service) -> dict[str, str]:
    return {
        "serviceArn": service.arn,
        "clusterArn": backend._get_cluster(service.cluster_name).arn,
    }


def _arn(
    backend: EC2ContainerServiceBackend, service: Service, kind: str, item: str | None
) -> str | None:
    if item is None:
        return None
    return (
        f"arn:aws:ecs:{backend.region_name}:{backend.account_id}:"
        f"{kind}/{service.cluster_name}/{service.name}/{item}"
    )


def _last(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _epoch(moment: datetime | None) -> float | None:
    return None if moment is None else _seconds(moment)


def _seconds(moment: datetime) -> float:
    # moto's utcnow() is naive UTC
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.timestamp()


def _compact(shape: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in shape.items() if v is not None}


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _decode_token(token: object) -> int:
    if not token:
        return 0
    try:
        kind, _, offset = base64.urlsafe_b64decode(str(token)).decode().partition(":")
        if kind == "offset" and offset.isdigit():
            return int(offset)
    except (binascii.Error, UnicodeDecodeError):
        pass
    raise ServiceDeploymentsError("InvalidParameterException", "The nextToken is not valid.")
