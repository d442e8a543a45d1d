"""The deploy plan: per service, what will be registered and how the service changes. Pure data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ecs_deploy.plan.image_tag_value import TagParameter
from ecs_deploy.plan.replace import ImageChange
from ecs_deploy.plan.strategy import CodeDeployPlan, EcsBlueGreenPlan, Strategy
from ecs_deploy.plan.taskdef import DroppedKey


@dataclass(frozen=True, slots=True)
class TaskDefinitionPlan:
    """A rendered task definition and whether it must be registered or an existing one reused."""

    family: str
    register_params: Mapping[str, Any]
    live_arn: str | None  # the revision it is compared with (the service's, or the family's latest)
    changed: bool  # False: the rendered definition equals the live one, which is reused
    images: tuple[ImageChange, ...] = ()
    diff: tuple[str, ...] = ()
    dropped_keys: tuple[DroppedKey, ...] = ()  # keys RegisterTaskDefinition does not know


@dataclass(frozen=True, slots=True)
class FollowedDeployment:
    """A deployment ECS already has under way of the revision asked for: watched, not redone."""

    id: str
    created_at: datetime | None


@dataclass(frozen=True, slots=True)
class ServicePlan:
    name: str
    cluster: str
    current_task_definition_arn: str
    task_definition: TaskDefinitionPlan
    force_new_deployment: bool
    desired_count: int | None
    timeout_seconds: float
    # blue/green: how the service is deployed and what waiting for it needs
    strategy: Strategy = Strategy.ROLLING
    codedeploy: CodeDeployPlan | None = None
    ecs_blue_green: EcsBlueGreenPlan | None = None
    wait_until: str | None = None  # READY or an ECS lifecycle stage: return early there
    # The live deployments: whose id a new deployment must differ from, what a rollback
    # returns to, and why an unchanged definition is deployed again.
    live_primary_id: str | None = None
    rollback_task_definition_arn: str | None = None
    redeploy_reason: str | None = None  # set: the live deployment never settled
    # Extra UpdateService parameters the inputs asked for (enableECSManagedTags, propagateTags,
    # volumeConfigurations); sent as they are, none when empty.
    update_params: Mapping[str, Any] = field(default_factory=dict)
    # image-tag-parameter: written once the service runs what this plan deploys
    image_tag_parameter: TagParameter | None = None
    # Set (Settings.follow_live_deployment): the revision is being deployed already; its
    # deployment is watched instead of forcing a new one (a repeated event)
    follows: FollowedDeployment | None = None

    @property
    def switches_revision(self) -> bool:
        """An existing revision other than the service's is deployed as it is (one that
        Terraform registered, named as family:revision or ARN): nothing to register."""
        reused = self.task_definition.live_arn
        return (
            not self.task_definition.changed
            and reused is not None
            and reused != self.current_task_definition_arn
        )

    @property
    def needs_update(self) -> bool:
        return (
            self.task_definition.changed
            or self.switches_revision
            or self.force_new_deployment
            or self.desired_count is not None
            or self.redeploy_reason is not None
            or self.follows is not None
        )


@dataclass(frozen=True, slots=True)
class TaskRunPlan:
    """A standalone task to run: its task definition and every RunTask parameter but two.

    `taskDefinition` is known once registered and `clientToken` is made per run.
    """

    name: str
    task_definition: TaskDefinitionPlan
    run_params: Mapping[str, Any]
    timeout_seconds: float
    depends_on: tuple[str, ...] = ()
    wait: bool = True

    @property
    def count(self) -> int:
        return int(self.run_params.get("count", 1))


@dataclass(frozen=True, slots=True)
class DeployPlan:
    cluster: str
    services: tuple[ServicePlan, ...] = ()
    # A task definition registered on its own (task-definition given without a service).
    register_only: TaskDefinitionPlan | None = None
    pre_tasks: tuple[TaskRunPlan, ...] = ()
    post_tasks: tuple[TaskRunPlan, ...] = ()
