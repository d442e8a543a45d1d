"""Start a rolling deployment: register what changed, update the service, keep our deployment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ecs_deploy.aws.ecs import EcsApi
from ecs_deploy.deploy.clock import Clock
from ecs_deploy.deploy.registrar import Registrar
from ecs_deploy.plan.deployment import ServicePlan


@dataclass(frozen=True, slots=True)
class StartedDeployment:
    """A deployment this run started: the verdict is about this one, never "the service"."""

    plan: ServicePlan
    task_definition_arn: str
    registered: bool
    deployment_id: str | None
    started_at: float  # on the run's clock: timeouts
    started_wall: datetime  # wall time: which service events are ours to show


def start_rolling(
    plan: ServicePlan, ecs: EcsApi, registrar: Registrar, clock: Clock
) -> StartedDeployment:
    arn, registered = registrar.arn_for(plan.task_definition)
    started_at = clock.now()
    sent_at = datetime.now(UTC)
    service = ecs.update_service(
        cluster=plan.cluster,
        service=plan.name,
        task_definition=arn,
        # Redeploying an unsettled revision needs a new deployment ECS would not start itself.
        force_new_deployment=plan.force_new_deployment or plan.redeploy_reason is not None,
        desired_count=plan.desired_count,
        extra=plan.update_params,
    )
    primary = primary_deployment_id(service)
    return StartedDeployment(
        plan=plan,
        task_definition_arn=arn,
        registered=registered,
        # Only a scale change: ECS started no deployment; the verdict is then on the counts.
        deployment_id=None if primary == plan.live_primary_id else primary,
        started_at=started_at,
        started_wall=ecs_start_time(service, sent_at),
    )


def ecs_start_time(service: Mapping[str, Any], sent_at: datetime) -> datetime:
    """When ECS says our deployment began, on ECS's clock (events and records use it too).

    A little earlier, so a record stamped a few milliseconds before its deployment still
    counts; our own clock, with more slack, only when ECS gives no time.
    """
    for deployment in service.get("deployments") or []:
        created = deployment.get("createdAt")
        if deployment.get("status") == "PRIMARY" and isinstance(created, datetime):
            return created - timedelta(milliseconds=500)
    return sent_at - timedelta(seconds=2)


def primary_deployment_id(service: Mapping[str, Any]) -> str | None:
    for deployment in service.get("deployments") or []:
        if deployment.get("status") == "PRIMARY":
            return str(deployment.get("id"))
    return None
