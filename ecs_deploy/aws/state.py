"""What ECS and CodeDeploy say about a deployment, as small typed values.

Raw boto3 dicts stop here: the watch loop and the trackers read these. Field names and enums
follow botocore's service models (ecs 2014-11-13, codedeploy 2014-10-06); a member AWS leaves
out becomes None, an empty tuple or 0, never a KeyError.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


def _time(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _text(value: Any) -> str:
    return "" if value is None else str(value)


# -- ECS services --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class EcsDeployment:
    """One entry of DescribeServices' deployments[] (status PRIMARY, ACTIVE or INACTIVE)."""

    id: str
    status: str
    task_definition: str
    desired: int
    running: int
    pending: int
    failed_tasks: int
    rollout_state: str | None  # IN_PROGRESS | COMPLETED | FAILED; None on very old services
    rollout_reason: str
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> EcsDeployment:
        return cls(
            id=_text(raw.get("id")),
            status=_text(raw.get("status")),
            task_definition=_text(raw.get("taskDefinition")),
            desired=_int(raw.get("desiredCount")),
            running=_int(raw.get("runningCount")),
            pending=_int(raw.get("pendingCount")),
            failed_tasks=_int(raw.get("failedTasks")),
            rollout_state=raw.get("rolloutState") or None,
            rollout_reason=_text(raw.get("rolloutStateReason")),
            created_at=_time(raw.get("createdAt")),
            updated_at=_time(raw.get("updatedAt")),
        )

    def counts(self) -> str:
        return (
            f"{self.running}/{self.desired} running, {self.pending} pending, "
            f"{self.failed_tasks} failed"
        )


@dataclass(frozen=True, slots=True)
class ServiceEvent:
    id: str
    created_at: datetime | None
    message: str


# thresholdConfiguration.type; botocore: "The default is BOUNDED_PERCENT", value "default is 50".
THRESHOLD_COUNT, BOUNDED_PERCENT, UNBOUNDED_PERCENT = (
    "COUNT",
    "BOUNDED_PERCENT",
    "UNBOUNDED_PERCENT",
)
_BOUNDED_MIN, _BOUNDED_MAX = 3, 200  # ECS developer guide: "minimum threshold of 3 ... max 200"


@dataclass(frozen=True, slots=True)
class CircuitBreaker:
    """deploymentConfiguration.deploymentCircuitBreaker, with ECS's defaults."""

    enabled: bool = False
    rollback: bool = False
    threshold_type: str = BOUNDED_PERCENT
    threshold_value: int = 50
    reset_on_healthy_task: bool = True

    @classmethod
    def from_api(cls, raw: Mapping[str, Any] | None) -> CircuitBreaker:
        raw = raw or {}
        threshold = raw.get("thresholdConfiguration") or {}
        return cls(
            enabled=bool(raw.get("enable")),
            rollback=bool(raw.get("rollback")),
            threshold_type=str(threshold.get("type") or BOUNDED_PERCENT),
            threshold_value=_int(threshold.get("value")) if "value" in threshold else 50,
            reset_on_healthy_task=raw.get("resetOnHealthyTask") is not False,
        )

    @property
    def rolls_back(self) -> bool:
        return self.enabled and self.rollback

    def threshold(self, desired_count: int) -> int:
        """Failed tasks after which ECS fails the deployment (botocore's thresholdConfiguration
        doc: COUNT is the value itself; the percent types multiply it by the desired count;
        BOUNDED_PERCENT is clamped to 3..200 as the pre-2026 rule was)."""
        if self.threshold_type == THRESHOLD_COUNT:
            return max(1, self.threshold_value)
        computed = math.ceil(desired_count * self.threshold_value / 100)
        if self.threshold_type == UNBOUNDED_PERCENT:
            return max(1, computed)
        return min(_BOUNDED_MAX, max(_BOUNDED_MIN, computed))


@dataclass(frozen=True, slots=True)
class EcsService:
    """The parts of a DescribeServices entry a verdict depends on."""

    name: str
    status: str
    task_definition: str
    deployments: tuple[EcsDeployment, ...]
    events: tuple[ServiceEvent, ...]  # newest first, as ECS lists them
    breaker: CircuitBreaker
    controller: str
    strategy: str | None  # deploymentConfiguration.strategy: ROLLING | BLUE_GREEN | ...
    current_service_deployment: str | None

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> EcsService:
        configuration = raw.get("deploymentConfiguration") or {}
        return cls(
            name=_text(raw.get("serviceName")),
            status=_text(raw.get("status")),
            task_definition=_text(raw.get("taskDefinition")),
            deployments=tuple(EcsDeployment.from_api(d) for d in raw.get("deployments") or ()),
            events=tuple(
                ServiceEvent(_text(e.get("id")), _time(e.get("createdAt")), _text(e.get("message")))
                for e in raw.get("events") or ()
            ),
            breaker=CircuitBreaker.from_api(configuration.get("deploymentCircuitBreaker")),
            controller=_text((raw.get("deploymentController") or {}).get("type") or "ECS"),
            strategy=configuration.get("strategy") or None,
            current_service_deployment=raw.get("currentServiceDeployment") or None,
        )

    def deployment(self, deployment_id: str | None) -> EcsDeployment | None:
        return next((d for d in self.deployments if d.id == deployment_id), None)

    @property
    def primary(self) -> EcsDeployment | None:
        return next((d for d in self.deployments if d.status == "PRIMARY"), None)


# -- ECS service deployments (the 2024-10 API) ----------------------------------------------
@dataclass(frozen=True, slots=True)
class LifecycleHook:
    hook_id: str
    status: str  # AWAITING_ACTION, SUCCEEDED, ...


@dataclass(frozen=True, slots=True)
class ServiceDeploymentRecord:
    """DescribeServiceDeployments' serviceDeployments[] entry."""

    arn: str
    status: str  # PENDING | IN_PROGRESS | SUCCESSFUL | STOPPED | STOP_REQUESTED | ROLLBACK_* ...
    status_reason: str
    created_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    target_revision_arn: str | None
    lifecycle_stage: str | None
    hooks: tuple[LifecycleHook, ...]
    rollback_reason: str | None  # rollback.reason, when ECS rolled (or rolls) it back
    rollback_revision_arn: str | None

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> ServiceDeploymentRecord:
        rollback = raw.get("rollback") or None
        return cls(
            arn=_text(raw.get("serviceDeploymentArn")),
            status=_text(raw.get("status")),
            status_reason=_text(raw.get("statusReason")),
            created_at=_time(raw.get("createdAt")),
            started_at=_time(raw.get("startedAt")),
            finished_at=_time(raw.get("finishedAt")),
            target_revision_arn=(raw.get("targetServiceRevision") or {}).get("arn") or None,
            lifecycle_stage=raw.get("lifecycleStage") or None,
            hooks=tuple(
                LifecycleHook(_text(h.get("hookId")), _text(h.get("status")))
                for h in raw.get("lifecycleHookDetails") or ()
            ),
            rollback_reason=_text(rollback.get("reason")) if rollback else None,
            rollback_revision_arn=(rollback or {}).get("serviceRevisionArn") or None,
        )

    @property
    def awaiting_hook(self) -> str | None:
        """The hookId of a PAUSE hook that waits for ContinueServiceDeployment."""
        return next((h.hook_id for h in self.hooks if h.status == "AWAITING_ACTION"), None)

    @property
    def going_forward(self) -> bool:
        """PENDING or IN_PROGRESS: stages seen now are progress of the deployment itself.
        On a rollback ECS runs the traffic-shift hooks again (developer guide), back to blue."""
        return self.status in ("PENDING", "IN_PROGRESS")


@dataclass(frozen=True, slots=True)
class ServiceRevision:
    arn: str
    task_definition: str
    created_at: datetime | None

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> ServiceRevision:
        return cls(
            _text(raw.get("serviceRevisionArn")),
            _text(raw.get("taskDefinition")),
            _time(raw.get("createdAt")),
        )


# -- ECS tasks -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TaskContainer:
    name: str
    exit_code: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class EcsTask:
    arn: str
    started_by: str
    last_status: str
    desired_status: str
    stop_code: str | None
    stopped_reason: str
    containers: tuple[TaskContainer, ...]
    raw: Mapping[str, Any]  # for forensics, which explains from every field ECS gives

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> EcsTask:
        return cls(
            arn=_text(raw.get("taskArn")),
            started_by=_text(raw.get("startedBy")),
            last_status=_text(raw.get("lastStatus")),
            desired_status=_text(raw.get("desiredStatus")),
            stop_code=raw.get("stopCode") or None,
            stopped_reason=_text(raw.get("stoppedReason")),
            containers=tuple(
                TaskContainer(
                    _text(c.get("name")),
                    c.get("exitCode") if isinstance(c.get("exitCode"), int) else None,
                    _text(c.get("reason")),
                )
                for c in raw.get("containers") or ()
            ),
            raw=dict(raw),
        )

    @property
    def reasons(self) -> tuple[str, ...]:
        return (self.stopped_reason, *(c.reason for c in self.containers))


# -- CodeDeploy ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CodeDeployDeployment:
    """GetDeployment's deploymentInfo."""

    id: str
    status: str  # Created | Queued | InProgress | Baking | Ready | Succeeded | Failed | Stopped
    error_code: str | None
    error_message: str
    rollback_deployment_id: str | None
    rollback_message: str
    application: str
    group: str

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> CodeDeployDeployment:
        error = raw.get("errorInformation") or {}
        rollback = raw.get("rollbackInfo") or {}
        return cls(
            id=_text(raw.get("deploymentId")),
            status=_text(raw.get("status")),
            error_code=error.get("code") or None,
            error_message=_text(error.get("message")),
            rollback_deployment_id=rollback.get("rollbackDeploymentId") or None,
            rollback_message=_text(rollback.get("rollbackMessage")),
            application=_text(raw.get("applicationName")),
            group=_text(raw.get("deploymentGroupName")),
        )

    @property
    def finished(self) -> bool:
        return self.status in ("Succeeded", "Failed", "Stopped")

    @property
    def error(self) -> str:
        return f"{self.error_code}: {self.error_message}" if self.error_code else ""


LifecycleEvents = tuple[tuple[str, str], ...]  # (lifecycleEventName, status), in order
