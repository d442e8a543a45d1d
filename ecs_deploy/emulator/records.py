"""What a service remembers about its service revisions and service deployments.

ECS drops a deployment from `service.deployments` once a newer one completes, but its service
deployment stays listable. A record keeps a reference to the ECS deployment dict, so its last
counts and rolloutState survive the removal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class ServiceRevision:
    """The workload configuration one service deployment deploys (DescribeServiceRevisions)."""

    id: str
    task_definition: str
    launch_type: str | None
    platform_version: str | None
    platform_family: str | None
    network_configuration: dict[str, Any] | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Rollback:
    reason: str
    started_at: datetime
    revision_id: str | None  # the service revision redeployed
    deployment: dict[str, Any]  # the ECS deployment that redeploys it


@dataclass(slots=True)
class ServiceDeploymentRecord:
    # the number after "ecs-svc/" of the ECS deployment it tracks, or (service_deployment_ids
    # mode "random") 21 random letters and digits as AWS gives
    id: str
    deployment: dict[str, Any]
    sources: list[dict[str, Any]]  # the ECS deployments that ran when this one was created
    created_at: datetime
    updated_at: datetime
    # deploymentConfiguration when it started (None while PENDING: the service's own applies)
    configuration: dict[str, Any] | None = None
    status: str = "PENDING"
    status_reason: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    stopped_at: datetime | None = None
    stop_type: str | None = None  # ROLLBACK or ABORT once StopServiceDeployment asked
    rollback: Rollback | None = None
    revision_id: str = ""  # its target service revision ("" until open_record sets it)
    opened_tick: int = 0  # the scheduler tick it was created in (currentServiceDeployment lag)
