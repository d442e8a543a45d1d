"""CodeDeploy blue/green for ECS: deployments progress, fail, stop and wait at Ready.

moto stores CodeDeploy deployments but leaves them `Created`; it lacks StopDeployment,
ContinueDeployment, ListDeploymentTargets and BatchGetDeploymentTargets, which are answered
here (see hooks.py). From AllowTraffic on the ECS service runs the appspec's TaskDefinition.

As CodeDeploy does:
- after AfterAllowTraffic the deployment stays InProgress for the group's
  terminateBlueInstancesOnDeploymentSuccess.terminationWaitTimeInMinutes (the original task
  set is kept for a quick rollback), unless ContinueDeployment(TERMINATION_WAIT) ends it;
- an automatic rollback (a failure with autoRollbackConfiguration, or StopDeployment with
  autoRollbackEnabled) is a deployment of its own: the original's rollbackInfo names it
  (rollbackDeploymentId) and it can fail (`faults.fail_codedeploy_rollbacks`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import yaml
from moto.codedeploy.models import CodeDeployBackend, DeploymentInfo
from moto.core.utils import utcnow
from moto.ecs.models import ecs_backends

from . import clock
from .faults import TRANSIENT_KINDS, FaultKind
from .runtime import EmulatorRuntime

LIFECYCLE_EVENTS = (
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "AllowTestTraffic",
    "AfterAllowTestTraffic",
    "BeforeAllowTraffic",
    "AllowTraffic",
    "AfterAllowTraffic",
)
READY_AFTER = LIFECYCLE_EVENTS.index("AfterAllowTestTraffic")  # waits at Ready after this
FAILS_AT = LIFECYCLE_EVENTS.index("Install")  # the replacement task set never stabilises
FAILING_KINDS = {k for k in FaultKind if k.value not in TRANSIENT_KINDS}
FINAL = {"Succeeded", "Failed", "Stopped"}
TARGET_OPERATIONS = ("ListDeploymentTargets", "BatchGetDeploymentTargets")


class CodeDeployError(Exception):
    """An API error to answer with (`code` is the error type CodeDeploy uses)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(slots=True)
class Progress:
    index: int = 0
    entered_at: float = 0.0
    continued: bool = False
    terminate_at: float | None = None  # in the termination wait: Succeeded at this ECS time
    original_task_definition: str | None = None  # what the service ran before AllowTraffic
    rollback_of: DeploymentInfo | None = None  # set on a rollback deployment
    created_at: float | None = None  # ECS time the scheduler first saw it (start delay)
    events: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {"lifecycleEventName": name, "status": "Pending"} for name in LIFECYCLE_EVENTS
        ]
    )


def step(backend: CodeDeployBackend, rt: EmulatorRuntime) -> None:
    for deployment in list(backend.deployments.values()):
        if deployment.status not in FINAL:
            _advance(backend, deployment, rt)


def stop_deployment(backend: CodeDeployBackend, params: dict[str, Any]) -> dict[str, Any]:
    deployment = _deployment(backend, params)
    if deployment.status in FINAL:
        raise CodeDeployError(
            "DeploymentAlreadyCompletedException",
            f"Deployment {deployment.deployment_id} has already completed.",
        )
    if params.get("autoRollbackEnabled"):
        _start_rollback(
            backend, deployment, "Rollback triggered by a request to stop the deployment."
        )
    _finish(deployment, "Stopped", "DEPLOYMENT_STOPPED", "The deployment was stopped by a user.")
    return {"status": "Succeeded", "statusMessage": "The deployment was stopped."}


def continue_deployment(backend: CodeDeployBackend, params: dict[str, Any]) -> dict[str, Any]:
    deployment = _deployment(backend, params)
    progress = _progress(deployment)
    if params.get("deploymentWaitType") == "TERMINATION_WAIT":
        # Ends the termination wait now: the original task set is terminated.
        if progress.terminate_at is None or deployment.status in FINAL:
            raise CodeDeployError(
                "DeploymentIsNotInReadyStateException",
                f"Deployment {deployment.deployment_id} is not waiting to terminate.",
            )
        _finish(deployment, "Succeeded")
        return {}
    if deployment.status != "Ready":
        raise CodeDeployError(
            "DeploymentIsNotInReadyStateException",
            f"Deployment {deployment.deployment_id} is not in a ready state.",
        )
    progress.continued = True
    deployment.status = "InProgress"
    return {}


def list_deployment_targets(backend: CodeDeployBackend, params: dict[str, Any]) -> dict[str, Any]:
    deployment = _deployment(backend, params)
    return {"targetIds": [_target_id(deployment)]}


def batch_get_deployment_targets(
    backend: CodeDeployBackend, params: dict[str, Any]
) -> dict[str, Any]:
    deployment = _deployment(backend, params)
    target_id = _target_id(deployment)
    wanted = params.get("targetIds") or [target_id]
    events = [_event_json(e) for e in _progress(deployment).events]
    target = {
        "deploymentId": deployment.deployment_id,
        "targetId": target_id,
        "targetArn": target_id,
        "lastUpdatedAt": _epoch(utcnow()),
        "lifecycleEvents": events,
        "status": deployment.status,
    }
    found = [
        {"deploymentTargetType": "ECSTarget", "ecsTarget": target}
        for name in wanted
        if name == target_id
    ]
    return {"deploymentTargets": found}


def amend_deployment_info(backend: CodeDeployBackend, info: dict[str, Any]) -> None:
    """moto answers errorInformation and rollbackInfo as {} always; fill in or drop them."""
    deployment = backend.deployments.get(str(info.get("deploymentId")))
    for member, attribute in (
        ("errorInformation", "error_information"),
        ("rollbackInfo", "rollback_info"),
    ):
        value = getattr(deployment, attribute, None)
        if value:
            info[member] = value
        elif not info.get(member):
            info.pop(member, None)


def appspec_task_definition(deployment: DeploymentInfo) -> str | None:
    """TargetService.Properties.TaskDefinition of the appspec (keys case-insensitive)."""
    revision = {k.lower(): v for k, v in (deployment.revision or {}).items()}
    content = (revision.get("appspeccontent") or {}).get("content")
    if not content:
        return None
    try:
        spec = json.loads(content) if content.lstrip().startswith("{") else yaml.safe_load(content)
    except (ValueError, yaml.YAMLError):
        return None
    for resource in _get(spec, "resources") or []:
        for item in resource.values() if isinstance(resource, dict) else []:
            properties = _get(_get(item, "properties"), "taskdefinition")
            if isinstance(properties, str):
                return properties
    return None


def _advance(backend: CodeDeployBackend, deployment: DeploymentInfo, rt: EmulatorRuntime) -> None:
    now = rt.clock.now
    progress = _progress(deployment)
    if progress.rollback_of is not None:
        _advance_rollback(backend, deployment, progress, rt)
        return
    if progress.terminate_at is not None:
        if now >= progress.terminate_at:
            _finish(deployment, "Succeeded")
        return
    if deployment.status in ("Created", "Queued"):
        # codedeploy_start_delay mode: it stays Created this many ECS seconds first.
        if progress.created_at is None:
            progress.created_at = now
        if now - progress.created_at < rt.modes.codedeploy_start_delay:
            return
        deployment.status = "InProgress"
        deployment.start_time = utcnow()
        deployment.compute_platform = "ECS"  # type: ignore[attr-defined]
        progress.entered_at = now
        _begin_event(progress, 0)
        return
    if deployment.status == "Ready":
        return  # until ContinueDeployment
    if now - progress.entered_at < clock.STAGE:
        return
    if progress.index == FAILS_AT and _fails(backend, deployment, rt):
        progress.events[progress.index].update(status="Failed", endTime=utcnow())
        if _auto_rollback(deployment):
            _start_rollback(
                backend, deployment, "Automatic rollback triggered by a deployment failure."
            )
        _finish(
            deployment,
            "Failed",
            "ECS_UPDATE_ERROR",
            "The ECS service cannot reach a steady state. Tasks of the replacement task set "
            "failed to start or failed their health checks.",
        )
        return
    progress.events[progress.index].update(status="Succeeded", endTime=utcnow())
    if progress.index == READY_AFTER and _waits_for_ready(deployment) and not progress.continued:
        deployment.status = "Ready"
    if LIFECYCLE_EVENTS[progress.index] == "AllowTraffic":
        progress.original_task_definition = _point_service_at(
            backend, deployment, appspec_task_definition(deployment)
        )
    if progress.index + 1 == len(LIFECYCLE_EVENTS):
        wait = _termination_wait_minutes(deployment)
        if wait:
            progress.terminate_at = now + wait * 60.0
            return
        _finish(deployment, "Succeeded")
        return
    progress.entered_at = now
    _begin_event(progress, progress.index + 1)


def _begin_event(progress: Progress, index: int) -> None:
    progress.index = index
    progress.events[index].update(status="InProgress", startTime=utcnow())


def _finish(
    deployment: DeploymentInfo, status: str, code: str | None = None, message: str | None = None
) -> None:
    deployment.status = status
    deployment.complete_time = utcnow()
    if code is not None:
        deployment.error_information = {"code": code, "message": message}  # type: ignore[attr-defined]
    for event in _progress(deployment).events:
        if event["status"] in ("Pending", "InProgress"):
            event["status"] = "Skipped"


def _fails(backend: CodeDeployBackend, deployment: DeploymentInfo, rt: EmulatorRuntime) -> bool:
    if rt.faults.codedeploy_fails(deployment.application_name, deployment.deployment_group_name):
        return True
    arn = appspec_task_definition(deployment)
    if arn is None:
        return False
    try:
        definition = ecs_backends[backend.account_id][backend.region_name].describe_task_definition(
            arn
        )
    except Exception:  # an unknown task definition fails the deployment
        return True
    faults = rt.faults.for_any(definition.container_definitions)
    return any(f.kind in FAILING_KINDS for f in faults)


def _point_service_at(
    backend: CodeDeployBackend, deployment: DeploymentInfo, arn: str | None
) -> str | None:
    """The group's service runs `arn` from now on; what it ran before (for a rollback)."""
    if arn is None:
        return None
    ecs = ecs_backends[backend.account_id][backend.region_name]
    before = None
    for ref in deployment.deployment_group.ecs_services:
        service = ecs.services.get(f"{ref.get('clusterName')}:{ref.get('serviceName')}")
        if service is not None:
            before = before or service.task_definition
            service.task_definition = ecs.describe_task_definition(arn).arn
    return before


def _start_rollback(backend: CodeDeployBackend, deployment: DeploymentInfo, message: str) -> None:
    """A new deployment that reroutes traffic back to the original task set."""
    rollback = DeploymentInfo(
        deployment.application,
        deployment.deployment_group,
        deployment.revision,
        deployment.deployment_config_name,
        f"Rollback of {deployment.deployment_id}",
        None,
        None,
        None,
        None,
        None,
        None,
        "autoRollback",
    )
    backend.deployments[rollback.deployment_id] = rollback
    _progress(rollback).rollback_of = deployment
    rollback.rollback_info = {  # type: ignore[attr-defined]
        "rollbackTriggeringDeploymentId": deployment.deployment_id
    }
    deployment.rollback_info = {  # type: ignore[attr-defined]
        "rollbackDeploymentId": rollback.deployment_id,
        "rollbackMessage": message,
    }


def _advance_rollback(
    backend: CodeDeployBackend, rollback: DeploymentInfo, progress: Progress, rt: EmulatorRuntime
) -> None:
    """One lifecycle step back to the original task set; Failed when the fault says so."""
    if rollback.status in ("Created", "Queued"):
        rollback.status = "InProgress"
        rollback.start_time = utcnow()
        rollback.compute_platform = "ECS"  # type: ignore[attr-defined]
        progress.entered_at = rt.clock.now
        return
    if rt.clock.now - progress.entered_at < clock.STAGE:
        return
    if rt.faults.codedeploy_fails(
        rollback.application_name, rollback.deployment_group_name, rollback=True
    ):
        _finish(rollback, "Failed", "ECS_UPDATE_ERROR", "The rollback could not reroute traffic.")
        return
    original = progress.rollback_of
    restore = _progress(original).original_task_definition if original is not None else None
    _point_service_at(backend, rollback, restore)
    _finish(rollback, "Succeeded")


def _termination_wait_minutes(deployment: DeploymentInfo) -> float:
    config = deployment.deployment_group.blue_green_deployment_configuration or {}
    terminate = config.get("terminateBlueInstancesOnDeploymentSuccess") or {}
    return float(terminate.get("terminationWaitTimeInMinutes") or 0)


def _waits_for_ready(deployment: DeploymentInfo) -> bool:
    config = deployment.deployment_group.blue_green_deployment_configuration or {}
    option = config.get("deploymentReadyOption") or {}
    return option.get("actionOnTimeout") == "STOP_DEPLOYMENT"


def _auto_rollback(deployment: DeploymentInfo) -> bool:
    config = deployment.auto_rollback_configuration or (
        deployment.deployment_group.auto_rollback_configuration or {}
    )
    return bool(config.get("enabled"))


def _progress(deployment: DeploymentInfo) -> Progress:
    found = getattr(deployment, "emulator_progress", None)
    if isinstance(found, Progress):
        return found
    fresh = Progress()
    deployment.emulator_progress = fresh  # type: ignore[attr-defined]
    return fresh


def _deployment(backend: CodeDeployBackend, params: dict[str, Any]) -> DeploymentInfo:
    deployment_id = params.get("deploymentId")
    if not deployment_id:
        raise CodeDeployError("DeploymentIdRequiredException", "Deployment ID is required.")
    deployment = backend.deployments.get(str(deployment_id))
    if deployment is None:
        raise CodeDeployError(
            "DeploymentDoesNotExistException", f"The deployment {deployment_id} does not exist."
        )
    return deployment


def _target_id(deployment: DeploymentInfo) -> str:
    services = deployment.deployment_group.ecs_services or [{}]
    first = services[0]
    return f"{first.get('clusterName', '')}:{first.get('serviceName', '')}"


def _event_json(event: dict[str, Any]) -> dict[str, Any]:
    return {k: (_epoch(v) if isinstance(v, datetime) else v) for k, v in event.items()}


def _epoch(moment: datetime) -> float:
    """moto's timestamps are naive UTC."""
    return moment.replace(tzinfo=UTC).timestamp()


def _get(mapping: Any, key: str) -> Any:
    if not isinstance(mapping, dict):
        return None
    return next((v for k, v in mapping.items() if str(k).lower() == key), None)
