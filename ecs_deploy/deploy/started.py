"""A deployment this run started: what every strategy hands to the watch loop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ecs_deploy.plan.deployment import ServicePlan


@dataclass(frozen=True, slots=True)
class StartedDeployment:
    """A deployment this run started: the verdict is about this one, never "the service"."""

    plan: ServicePlan
    task_definition_arn: str
    registered: bool
    deployment_id: str | None
    started_at: float  # on the run's clock: timeouts
    started_wall: datetime  # ECS's clock, a little early: which events and records are ours
    # When ECS says our deployment was created (UpdateService's answer); None if not given.
    created_at: datetime | None = None
    # Not started by this run: ECS was deploying this revision already (plan.follows).
    followed: bool = False

    @property
    def name(self) -> str:
        return self.plan.name

    def deadline(self, run_deadline: float | None) -> float:
        own = self.started_at + self.plan.timeout_seconds
        return own if run_deadline is None else min(own, run_deadline)
