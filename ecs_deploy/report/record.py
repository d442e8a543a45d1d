"""What a run has done so far, as it was reported: what the edge tells when the run breaks off.

The runner reports its plan and each service update it sent; when an unexpected error ends the
run before a verdict, this record is all that says which services were changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from ecs_deploy.plan.deployment import DeployPlan, ServicePlan


@dataclass(frozen=True, slots=True)
class PlannedService:
    name: str
    cluster: str
    current_task_definition_arn: str | None


@dataclass(frozen=True, slots=True)
class UpdatedService:
    """An update the run sent (UpdateService or CreateDeployment): ECS is acting on it."""

    name: str
    task_definition_arn: str
    deployment_id: str | None
    rollback: bool  # this run's rollback of its own update


class RunRecord:
    """Filled in as the run reports; read once by the edge."""

    def __init__(self) -> None:
        self.cluster: str | None = None
        self._planned: dict[str, PlannedService] = {}
        self._updated: dict[str, UpdatedService] = {}

    def planned(self, plan: DeployPlan) -> None:
        self.cluster = plan.cluster
        for service in plan.services:
            self._planned[service.name] = PlannedService(
                service.name, service.cluster, service.current_task_definition_arn
            )

    def updated(
        self, service: ServicePlan, task_definition_arn: str, deployment_id: str | None
    ) -> None:
        """`service`'s update was sent; a second one in the same run is its rollback."""
        self._updated[service.name] = UpdatedService(
            name=service.name,
            task_definition_arn=task_definition_arn,
            deployment_id=deployment_id,
            rollback=service.name in self._updated,
        )
        if service.name not in self._planned:
            self._planned[service.name] = PlannedService(
                service.name, service.cluster, service.current_task_definition_arn
            )

    @property
    def services(self) -> tuple[PlannedService, ...]:
        return tuple(self._planned.values())

    def update_of(self, name: str) -> UpdatedService | None:
        return self._updated.get(name)
