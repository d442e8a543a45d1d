"""The deploy plan: per service, what will be registered and how the service changes. Pure data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ecs_deploy.plan.replace import ImageChange


@dataclass(frozen=True, slots=True)
class TaskDefinitionPlan:
    """A rendered task definition and whether it must be registered or an existing one reused."""

    family: str
    register_params: Mapping[str, Any]
    live_arn: str | None  # the revision it is compared with (the service's, or the family's latest)
    changed: bool  # False: the rendered definition equals the live one, which is reused
    images: tuple[ImageChange, ...] = ()
    diff: tuple[str, ...] = ()
    dropped_keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ServicePlan:
    name: str
    cluster: str
    current_task_definition_arn: str
    task_definition: TaskDefinitionPlan
    force_new_deployment: bool
    desired_count: int | None
    timeout_seconds: float

    @property
    def needs_update(self) -> bool:
        return (
            self.task_definition.changed
            or self.force_new_deployment
            or self.desired_count is not None
        )


@dataclass(frozen=True, slots=True)
class DeployPlan:
    cluster: str
    services: tuple[ServicePlan, ...] = ()
    # A task definition registered on its own (task-definition given without a service).
    register_only: TaskDefinitionPlan | None = None
