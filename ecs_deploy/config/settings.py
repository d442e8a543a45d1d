"""Typed, frozen settings: what one run will do, whatever the inputs came from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from ecs_deploy.config.bluegreen import CodeDeploySpec, Mode
from ecs_deploy.config.declared_inputs import default_int, default_number
from ecs_deploy.config.platforms import in_github_actions
from ecs_deploy.config.provenance import Provenance
from ecs_deploy.errors import SourceLocation

# The declared defaults (declared_inputs.py is the one place they are written).
DEFAULT_TIMEOUT_SECONDS = default_number("wait-for-minutes") * 60
DEFAULT_POLL_SECONDS = default_number("poll-interval")
DEFAULT_MAX_RETRIES = default_int("max-retries")


@dataclass(frozen=True, slots=True)
class ContainerSpec:
    """A container whose image this run changes: a full `image`, or the run's image tag."""

    name: str
    image: str | None = None
    # Where `image` was written, when a file gave it (an image-definitions entry): a container
    # the task definition lacks is reported there.
    source: SourceLocation | None = None


@dataclass(frozen=True, slots=True)
class TaskDefinitionSource:
    """Where a new task definition starts from. Neither set: the service's current revision."""

    file: Path | None = None
    reference: str | None = None  # family, family:revision or ARN


@dataclass(frozen=True, slots=True)
class TaskDefinitionChanges:
    """The official render action's edits: to the named containers, and two task roles."""

    environment: tuple[tuple[str, str], ...] = ()  # set or replace by name
    secrets: tuple[tuple[str, str], ...] = ()  # name -> valueFrom
    docker_labels: tuple[tuple[str, str], ...] = ()
    command: tuple[str, ...] | None = None
    log_driver: str | None = None
    log_options: tuple[tuple[str, str], ...] = ()
    env_files: tuple[str, ...] = ()  # S3 object ARNs
    task_role_arn: str | None = None
    execution_role_arn: str | None = None

    @property
    def changes_containers(self) -> bool:
        return bool(
            self.environment
            or self.secrets
            or self.docker_labels
            or self.command is not None
            or self.log_driver
            or self.log_options
            or self.env_files
        )

    @property
    def empty(self) -> bool:
        return not (self.changes_containers or self.task_role_arn or self.execution_role_arn)


@dataclass(frozen=True, slots=True)
class RegisterOnlySpec:
    """A task definition to register with no service to update (the official action allows it)."""

    source: TaskDefinitionSource
    containers: tuple[ContainerSpec, ...] = ()
    changes: TaskDefinitionChanges = field(default_factory=TaskDefinitionChanges)


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    name: str
    containers: tuple[ContainerSpec, ...] = ()
    source: TaskDefinitionSource = TaskDefinitionSource()
    force_new_deployment: bool = False
    desired_count: int | None = None
    max_wait_seconds: float | None = None
    # blue/green: what the user expects (checked against the deployment controller)
    mode: Mode = Mode.AUTO
    codedeploy: CodeDeploySpec = field(default_factory=CodeDeploySpec)
    changes: TaskDefinitionChanges = field(default_factory=TaskDefinitionChanges)
    # Extra UpdateService parameters, sent only when given: enableECSManagedTags,
    # propagateTags, volumeConfigurations.
    update_params: Mapping[str, Any] = field(default_factory=dict)
    # image-tag-parameter: the SSM parameter that gets the deployed tag once the deploy landed
    image_tag_parameter: str | None = None


@dataclass(frozen=True, slots=True)
class VpcConfiguration:
    subnets: tuple[str, ...]
    security_groups: tuple[str, ...]
    assign_public_ip: bool


@dataclass(frozen=True, slots=True)
class CapacityProviderItem:
    capacity_provider: str
    base: int = 0
    weight: int = 0


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """A standalone task run before or after the services change (a migration, a clean-up)."""

    name: str  # what logs, outputs and depends_on call it (the family unless given)
    family: str | None = None  # family, family:revision or ARN; None: use `from_service`'s
    from_service: str | None = None  # run the task definition this run renders for a service
    count: int = 1
    containers: tuple[ContainerSpec, ...] = ()
    launch_type: str | None = None
    capacity_provider_strategy: tuple[CapacityProviderItem, ...] = ()
    vpc_configuration: VpcConfiguration | None = None
    network_from_service: str | None = None
    command: tuple[str, ...] | None = None
    environment: tuple[tuple[str, str], ...] = ()
    # RunTask containerOverrides as given (the official action's run-task-container-overrides).
    container_overrides: tuple[Mapping[str, Any], ...] = ()
    timeout_seconds: float | None = None
    started_by: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    depends_on: tuple[str, ...] = ()
    wait: bool = True  # False: start it and go on (wait-for-task-stopped: false)
    # Extra RunTask parameters, sent only when given: enableECSManagedTags, volumeConfigurations.
    run_params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class GitHubFiles:
    """Files GitHub Actions gives a step; None outside Actions."""

    output: Path | None = None
    step_summary: Path | None = None
    in_actions: bool = False


def github_files(environ: Mapping[str, str]) -> GitHubFiles:
    return GitHubFiles(
        output=Path(environ["GITHUB_OUTPUT"]) if environ.get("GITHUB_OUTPUT") else None,
        step_summary=Path(environ["GITHUB_STEP_SUMMARY"])
        if environ.get("GITHUB_STEP_SUMMARY")
        else None,
        in_actions=in_github_actions(environ),
    )


class RollbackScope(StrEnum):
    FAILED = "failed"  # roll back the services that failed
    ALL = "all"  # and the ones that succeeded, when another failed: the application as a whole


@dataclass(frozen=True, slots=True)
class RollbackPolicy:
    on_failure: bool = False
    scope: RollbackScope = RollbackScope.FAILED


@dataclass(frozen=True, slots=True)
class FailFastPolicy:
    """When a verdict is certain before the timeout."""

    # tasks of the new revision that never started
    max_start_failures: int = default_int("max-start-failures")
    # "unable to place a task" with no progress
    placement_grace_seconds: float = default_number("placement-grace")


@dataclass(frozen=True, slots=True)
class Settings:
    cluster: str
    services: tuple[ServiceSpec, ...]
    register_only: RegisterOnlySpec | None = None
    pre_tasks: tuple[TaskSpec, ...] = ()
    post_tasks: tuple[TaskSpec, ...] = ()
    skip_pre_tasks: bool = False
    skip_post_tasks: bool = False
    image_tag: str | None = None
    image_tag_from: str | None = None  # the variable a default image tag came from
    image_tag_note: str | None = None  # why a default image tag was not applied
    wait: bool = True
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    poll_interval_seconds: float = DEFAULT_POLL_SECONDS
    max_retries: int = DEFAULT_MAX_RETRIES  # botocore's retries max_attempts
    dry_run: bool = False
    rollback: RollbackPolicy = RollbackPolicy()
    fail_fast: FailFastPolicy = FailFastPolicy()
    config_file: Path | None = None
    # None: botocore's own chain (AWS_DEFAULT_REGION, profile). botocore ignores AWS_REGION.
    region: str | None = None
    github: GitHubFiles = GitHubFiles()
    # blue/green: stop waiting once CodeDeploy is READY or ECS enters this lifecycle stage
    wait_until: str | None = None
    # keep-null-value-keys: keys whose empty values ("", [], {}) rendering keeps
    keep_empty_keys: frozenset[str] = frozenset()
    # keep-revisions: after a successful deploy, the newest N ACTIVE revisions of each family
    # this run registered are kept and older ones deregistered; None keeps everything
    keep_revisions: int | None = None
    # Every cluster whose services and tasks may run those families (the run's, and with
    # environments: every environment's): what any of them uses is never deregistered
    revision_clusters: tuple[str, ...] = ()
    # The commit and CI run this deploy comes from: tags on the revisions it registers
    provenance: Provenance = field(default_factory=Provenance)
    # The event path: an unchanged revision ECS is deploying already (PRIMARY IN_PROGRESS) is
    # followed, and one whose PRIMARY deployment COMPLETED is unchanged; never redeployed
    # (EventBridge delivers at least once). The action redeploys an unsettled revision.
    follow_live_deployment: bool = False
