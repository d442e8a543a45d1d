"""Builders for pure tracker tests: plans, started deployments and snapshots, no AWS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ecs_deploy.aws.state import EcsService, EcsTask, ServiceDeploymentRecord
from ecs_deploy.config.settings import FailFastPolicy
from ecs_deploy.deploy.started import StartedDeployment
from ecs_deploy.deploy.strategies.rolling import RollingTracker
from ecs_deploy.deploy.watch import (
    Read,
    RecordsRead,
    ServiceRead,
    Snapshot,
    StoppedTasksRead,
)
from ecs_deploy.plan.deployment import ServicePlan, TaskDefinitionPlan
from ecs_deploy.plan.strategy import EcsBlueGreenPlan, Strategy

OURS = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2"
OLD = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1"
OUR_ID = "ecs-svc/2222222222222222222"
OLD_ID = "ecs-svc/1111111111111111111"
T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # when ECS created our deployment
DEFINITION = {"family": "web", "containerDefinitions": [{"name": "app", "essential": True}]}


class FakeClock:
    def __init__(self) -> None:
        self.time = 0.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.time += seconds


def plan(
    *, blue_green: bool = False, wait_until: str | None = None, timeout: float = 600.0
) -> ServicePlan:
    return ServicePlan(
        "web",
        "demo",
        OLD,
        TaskDefinitionPlan("web", DEFINITION, None, True),
        False,
        None,
        timeout,
        strategy=Strategy.ECS_BLUE_GREEN if blue_green else Strategy.ROLLING,
        ecs_blue_green=EcsBlueGreenPlan("BLUE_GREEN") if blue_green else None,
        wait_until=wait_until,
        live_primary_id=OLD_ID,
        rollback_task_definition_arn=OLD,
    )


def started(service_plan: ServicePlan | None = None) -> StartedDeployment:
    return StartedDeployment(
        service_plan or plan(),
        OURS,
        True,
        OUR_ID,
        0.0,
        T0 - timedelta(milliseconds=500),
        created_at=T0,
    )


def tracker(**policy: Any) -> RollingTracker:
    return RollingTracker(started(), 600.0, FailFastPolicy(**policy))


def deployment(
    id_: str,
    status: str,
    rollout: str | None,
    task_definition: str,
    *,
    created: datetime = T0,
    updated: datetime | None = None,
    **counts: Any,
) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "id": id_,
        "status": status,
        "taskDefinition": task_definition,
        "desiredCount": 2,
        "runningCount": 0,
        "pendingCount": 0,
        "failedTasks": 0,
        "createdAt": created,
        "updatedAt": updated or created,
        **counts,
    }
    if rollout is not None:
        raw["rolloutState"] = rollout
    return raw


def service(
    task_definition: str,
    *deployments: dict[str, Any],
    breaker: dict[str, Any] | None = None,
    events: tuple[str, ...] = (),
) -> EcsService:
    return EcsService.from_api(
        {
            "serviceName": "web",
            "status": "ACTIVE",
            "taskDefinition": task_definition,
            "deployments": list(deployments),
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": breaker or {"enable": True, "rollback": True}
            },
            "events": [
                {"id": f"e{i}", "createdAt": T0 + timedelta(seconds=i + 1), "message": m}
                for i, m in reversed(list(enumerate(events)))  # newest first, as ECS lists
            ],
        }
    )


def record(status: str, *, arn: str = "sd/ejGvqq2ilnbKT9qj0vLJe", **extra: Any) -> Any:
    prefix = "arn:aws:ecs:us-east-1:123456789012:service-deployment/demo/web/"
    raw = {
        "serviceDeploymentArn": prefix + arn.split("/")[-1],
        "status": status,
        "createdAt": extra.pop("created", T0),
        **extra,
    }
    return ServiceDeploymentRecord.from_api(raw)


def stopped_task(reason: str, index: int = 0) -> EcsTask:
    return EcsTask.from_api(
        {
            "taskArn": f"arn:aws:ecs:us-east-1:123456789012:task/demo/{index:032x}",
            "startedBy": OUR_ID,
            "lastStatus": "STOPPED",
            "desiredStatus": "STOPPED",
            "stopCode": "TaskFailedToStart",
            "stoppedReason": reason,
            "containers": [{"name": "app", "reason": reason}],
        }
    )


def snapshot(
    watched: RollingTracker,
    state: EcsService | None,
    *,
    records: list[Any] | None = None,
    stopped: list[EcsTask] | None = None,
    problems: dict[Read, Any] | None = None,
) -> Snapshot:
    values: dict[Read, Any] = {ServiceRead("demo", "web"): state}
    if records is not None:
        values[RecordsRead("demo", "web", watched._records_read().since)] = records
    if stopped is not None:
        read = watched._stopped_read()
        assert isinstance(read, StoppedTasksRead)
        values[read] = stopped
    return Snapshot(values, problems or {})
