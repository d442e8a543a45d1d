"""What a service runs now, read from its deployments before we change anything. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class LiveDeployments:
    primary_id: str | None
    # One deployment, COMPLETED: the service runs its task definition and nothing is moving.
    settled: bool
    # The newest COMPLETED deployment's task definition: what a rollback returns to. After a
    # failed deployment the service's taskDefinition names the failed revision, not this one.
    stable_task_definition_arn: str | None
    unsettled_reason: str | None = None
    # The PRIMARY deployment: what it deploys, how far it is, when ECS created it.
    primary_task_definition: str | None = None
    primary_state: str | None = None
    primary_created_at: datetime | None = None

    def deploying(self, task_definition_arn: str) -> bool:
        """ECS is deploying that revision now: the PRIMARY deployment, still IN_PROGRESS."""
        return self.primary_task_definition == task_definition_arn and (
            self.primary_id is not None and self.primary_state == "IN_PROGRESS"
        )

    def landed(self, task_definition_arn: str) -> bool:
        """ECS finished deploying that revision: the PRIMARY deployment of it COMPLETED."""
        return self.primary_task_definition == task_definition_arn and (
            self.primary_state == "COMPLETED"
        )


def read_live(service: Mapping[str, Any]) -> LiveDeployments:
    deployments = list(service.get("deployments") or [])
    primary = next((d for d in deployments if d.get("status") == "PRIMARY"), None)
    completed = [d for d in deployments if d.get("rolloutState") == "COMPLETED"]
    newest = max(completed, key=_created, default=None)
    state = primary.get("rolloutState") if primary else None
    settled = primary is not None and len(deployments) == 1 and state in ("COMPLETED", None)
    reason = None
    if not settled:
        reason = (
            f"its deployment {primary.get('id')} is {state or 'in progress'}"
            if primary is not None and state != "COMPLETED"
            else f"{len(deployments)} deployments are active"
        )
    return LiveDeployments(
        primary_id=str(primary["id"]) if primary and primary.get("id") else None,
        settled=settled,
        stable_task_definition_arn=str(newest["taskDefinition"]) if newest else None,
        unsettled_reason=reason,
        primary_task_definition=str(primary["taskDefinition"])
        if primary and primary.get("taskDefinition")
        else None,
        primary_state=str(state) if state else None,
        primary_created_at=primary.get("createdAt")
        if primary and isinstance(primary.get("createdAt"), datetime)
        else None,
    )


def _created(deployment: Mapping[str, Any]) -> datetime | float:
    created = deployment.get("createdAt")
    return created if isinstance(created, datetime) else 0.0
