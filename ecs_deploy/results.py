"""What a run ends with: shared by deploy (which decides) and report (which tells)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ecs_deploy.plan.replace import ImageChange


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

    @property
    def ok(self) -> bool:
        return self in (Outcome.SUCCEEDED, Outcome.PLANNED, Outcome.STARTED, Outcome.UNCHANGED)


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


@dataclass(frozen=True, slots=True)
class RunResult:
    cluster: str
    services: tuple[ServiceResult, ...] = ()
    # Set when a task definition was registered without a service to update.
    task_definition_arn: str | None = None
    previous_task_definition_arn: str | None = None
    dry_run: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def outcome(self) -> Outcome:
        """The first service outcome that is not ok; else started/planned; else succeeded.

        A service left unchanged counts as succeeded for the run: it already runs what was asked.
        """
        outcomes = [service.outcome for service in self.services]
        for outcome in outcomes:
            if not outcome.ok:
                return outcome
        for candidate in (Outcome.STARTED, Outcome.PLANNED):
            if candidate in outcomes:
                return candidate
        return Outcome.PLANNED if self.dry_run else Outcome.SUCCEEDED

    @property
    def exit_code(self) -> int:
        return 0 if self.outcome.ok else 1
