"""What a run ends with: shared by deploy (which decides) and report (which tells)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ecs_deploy.plan.replace import ImageChange


def revision_of(arn: str | None) -> str:
    """family:revision of a task definition ARN (what people read), or "-" for none."""
    return arn.rsplit("/", 1)[-1] if arn else "-"


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    PLANNED = "planned"  # dry run: nothing was changed
    STARTED = "started"  # updated, and the user asked not to wait for the verdict
    UNCHANGED = "unchanged"  # nothing to change: no new revision, no deployment
    FAILED = "failed"
    ROLLED_BACK = "rolled_back"
    TIMED_OUT = "timed_out"
    STALLED = "stalled"
    SUPERSEDED = "superseded"
    SKIPPED = "skipped"  # not attempted because an earlier step failed
    # blue/green: stopped waiting where asked (CodeDeploy Ready, an ECS lifecycle stage)
    READY = "ready"

    @property
    def ok(self) -> bool:
        return self in (
            Outcome.SUCCEEDED,
            Outcome.PLANNED,
            Outcome.STARTED,
            Outcome.UNCHANGED,
            Outcome.READY,
        )


@dataclass(frozen=True, slots=True)
class StoppedTaskGroup:
    """Stopped tasks of the new revision that failed the same way."""

    count: int
    stop_code: str | None
    stopped_reason: str | None
    container: str | None = None
    container_reason: str | None = None
    exit_code: int | None = None
    explanation: str | None = None
    example_task_id: str | None = None

    def describe(self) -> str:
        parts = [self.stopped_reason or self.stop_code or "stopped"]
        if self.container:
            detail = f"container {self.container}"
            if self.exit_code is not None:
                detail += f" exited {self.exit_code}"
            if self.container_reason:
                detail += f" ({self.container_reason})"
            parts.append(detail)
        return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class LogTail:
    container: str
    task_id: str
    location: str  # group/stream
    lines: tuple[str, ...] = ()
    unavailable: str | None = None
    denied: bool = False  # unavailable because the IAM policy does not allow reading it


@dataclass(frozen=True, slots=True)
class Forensics:
    """What a person needs to act on a failed deployment."""

    stopped_tasks: tuple[StoppedTaskGroup, ...] = ()
    events: tuple[str, ...] = ()
    logs: tuple[LogTail, ...] = ()
    links: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RollbackResult:
    """A rollback this run made: back to which revision, and whether it landed."""

    task_definition_arn: str | None  # None: there was nothing to roll back to
    outcome: Outcome
    reason: str


@dataclass(frozen=True, slots=True)
class BlueGreenResult:
    """What a blue/green deployment showed: where it got to and how to find or finish it."""

    strategy: str  # codedeploy or ecs_blue_green
    deployment_id: str | None = None  # CodeDeploy deployment id, or the ECS deployment id
    deployment_arn: str | None = None  # ECS service deployment ARN (ContinueServiceDeployment)
    status: str | None = None  # CodeDeploy status or service deployment status
    stage: str | None = None  # the ECS lifecycle stage last entered
    traffic: str | None = None  # where test and production traffic go, in words
    hook_id: str | None = None  # the PAUSE hook awaiting action
    lifecycle: tuple[tuple[str, str], ...] = ()  # (event or stage, status) in order
    link: str | None = None


@dataclass(frozen=True, slots=True)
class ServiceResult:
    name: str
    cluster: str
    outcome: Outcome
    previous_task_definition_arn: str | None
    task_definition_arn: str | None
    seconds: float = 0.0
    deployment_id: str | None = None
    reason: str | None = None
    images: tuple[ImageChange, ...] = ()
    registered: bool = False
    forensics: Forensics | None = None
    rollback: RollbackResult | None = None
    blue_green: BlueGreenResult | None = None


@dataclass(frozen=True, slots=True)
class ContainerExit:
    name: str
    exit_code: int | None
    reason: str | None = None
    essential: bool = True


@dataclass(frozen=True, slots=True)
class StoppedTask:
    """One standalone task as it ended."""

    task_arn: str
    last_status: str
    stop_code: str | None = None
    stopped_reason: str | None = None
    containers: tuple[ContainerExit, ...] = ()
    seconds: float | None = None  # from start to stop, where ECS says

    @property
    def task_id(self) -> str:
        return self.task_arn.rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class TaskResult:
    """A pre- or post-deploy task: every one of its `count` tasks, and the verdict on them."""

    name: str
    phase: str  # "pre" or "post"
    outcome: Outcome
    reason: str
    task_definition_arn: str | None = None
    tasks: tuple[StoppedTask, ...] = ()
    seconds: float = 0.0
    logs: tuple[LogTail, ...] = ()

    @property
    def task_arns(self) -> tuple[str, ...]:
        return tuple(task.task_arn for task in self.tasks)


@dataclass(frozen=True, slots=True)
class ParameterWrite:
    """image-tag-parameter: written (SUCCEEDED), not attempted (SKIPPED) or refused (FAILED)."""

    name: str
    value: str
    outcome: Outcome
    reason: str = ""


@dataclass(frozen=True, slots=True)
class RunResult:
    cluster: str
    services: tuple[ServiceResult, ...] = ()
    # Set when a task definition was registered without a service to update.
    task_definition_arn: str | None = None
    previous_task_definition_arn: str | None = None
    dry_run: bool = False
    notes: tuple[str, ...] = field(default=())
    pre_tasks: tuple[TaskResult, ...] = ()
    post_tasks: tuple[TaskResult, ...] = ()
    # `continue` with ROLLBACK: rolled_back is what was asked for, so it is a success.
    rollback_requested: bool = False
    # After the services landed: the image tag written for Terraform, old revisions removed.
    parameters: tuple[ParameterWrite, ...] = ()
    deregistered: tuple[str, ...] = ()

    @property
    def outcome(self) -> Outcome:
        """The first step not ok (pre tasks, services, post tasks); else started/planned/succeeded.

        A service left unchanged counts as succeeded for the run: it already runs what was asked.
        """
        outcomes = [task.outcome for task in self.pre_tasks]
        outcomes += [service.outcome for service in self.services]
        outcomes += [task.outcome for task in self.post_tasks]
        for outcome in outcomes:
            if not outcome.ok:
                return outcome
        for candidate in (Outcome.READY, Outcome.STARTED, Outcome.PLANNED):
            if candidate in outcomes:
                return candidate
        return Outcome.PLANNED if self.dry_run else Outcome.SUCCEEDED

    @property
    def exit_code(self) -> int:
        """1 also when the deployment landed but its image tag could not be written: the
        outcome stays true to the deployment, and the step fails, since Terraform would read
        the old tag (and deploy it again) at its next apply."""
        asked = self.rollback_requested and self.outcome is Outcome.ROLLED_BACK
        if any(p.outcome is Outcome.FAILED for p in self.parameters):
            return 1
        return 0 if self.outcome.ok or asked else 1
