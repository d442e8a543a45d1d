"""The one watch loop: every wait of a run (deployments, rollbacks, `continue`, pre/post tasks).

Each poll the loop asks every tracker what it wants read (`Read`s), reads them batched by
source (one DescribeServices per cluster per 10 services, one DescribeTasks per 100 tasks),
and hands each tracker the `Snapshot`. Trackers are pure: they turn snapshots into a `Step`
(a verdict, or nothing yet, plus lines for the log) and never call AWS themselves.

The loop alone sleeps, keeps deadlines, renews expired credentials and rides out transient
errors (throttling, 5xx, connection resets): a read that fails transiently is missing from
that snapshot, the user is told how long a source could not be read, and only a deadline or a
permanent error (AccessDenied, not found) ends the wait.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import partial
from typing import Any, Protocol

from ecs_deploy.aws.codedeploy import CodeDeployApi
from ecs_deploy.aws.ecs import EcsApi
from ecs_deploy.aws.state import (
    CodeDeployDeployment,
    EcsService,
    EcsTask,
    LifecycleEvents,
    ServiceDeploymentRecord,
    ServiceRevision,
)
from ecs_deploy.config.durations import format_duration
from ecs_deploy.deploy.clock import Clock
from ecs_deploy.deploy.verdict import Verdict
from ecs_deploy.errors import (
    AccessDenied,
    AwsError,
    CredentialsExpired,
    DeployError,
    OperationUnsupported,
    TransientAwsError,
)
from ecs_deploy.report.console import Reporter
from ecs_deploy.results import BlueGreenResult, Forensics, Outcome


# -- what a tracker can ask for --------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ServiceRead:
    cluster: str
    service: str


@dataclass(frozen=True, slots=True)
class RecordsRead:
    """Service deployments of a service created since `since` (ECS's clock)."""

    cluster: str
    service: str
    since: datetime


@dataclass(frozen=True, slots=True)
class RevisionsRead:
    arns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RecordRead:
    """One service deployment by ARN (`continue`)."""

    arn: str


@dataclass(frozen=True, slots=True)
class StoppedTasksRead:
    """The stopped tasks of a deployment not in `known` (those are not described again)."""

    cluster: str
    service: str
    deployment_id: str
    known: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class TasksRead:
    cluster: str
    arns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CodeDeployRead:
    deployment_id: str


@dataclass(frozen=True, slots=True)
class LifecycleRead:
    deployment_id: str


Read = (
    ServiceRead
    | RecordsRead
    | RevisionsRead
    | RecordRead
    | StoppedTasksRead
    | TasksRead
    | CodeDeployRead
    | LifecycleRead
)


class Problem(StrEnum):
    """Why a read is missing from a snapshot."""

    TRANSIENT = "transient"  # try again next poll
    DENIED = "denied"  # the IAM policy lacks the permission: stop asking, say so once
    UNSUPPORTED = "unsupported"  # the endpoint lacks the operation (a 4xx)
    FAILED = "failed"  # any other error


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One poll's answers. `get` gives None for a read that failed (see `problem`)."""

    values: Mapping[Read, Any]
    problems: Mapping[Read, tuple[Problem, str]] = field(default_factory=dict)
    renewed: bool = False  # expired credentials were renewed while reading

    def get(self, read: Read) -> Any:
        return self.values.get(read)

    def has(self, read: Read) -> bool:
        return read in self.values

    def problem(self, read: Read) -> tuple[Problem, str] | None:
        return self.problems.get(read)

    def merged(self, other: Snapshot) -> Snapshot:
        return Snapshot(
            {**self.values, **other.values},
            {**self.problems, **other.problems},
            self.renewed or other.renewed,
        )

    def service(self, read: ServiceRead) -> EcsService | None:
        value = self.values.get(read)
        return value if isinstance(value, EcsService) else None


class Note(StrEnum):
    PROGRESS = "progress"
    EVENT = "event"
    INFO = "info"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Step:
    """What a tracker made of a snapshot."""

    verdict: Verdict | None = None
    notes: tuple[tuple[Note, str], ...] = ()


class Tracker(Protocol):
    """Follows one deployment (or task run) from snapshots. Pure: no AWS calls."""

    deadline: float

    @property
    def name(self) -> str: ...

    @property
    def started_at(self) -> float: ...

    def reads(self) -> Iterable[Read]: ...

    def followups(self, snapshot: Snapshot) -> Iterable[Read]:
        """More reads in the same poll, chosen from what the first reads showed (stopped
        tasks once failedTasks grew, ...): no poll of delay for what decides a verdict."""

    def observe(self, snapshot: Snapshot, now: float) -> Step: ...

    def expire(self, now: float) -> Verdict | None:
        """The deadline passed: the verdict, or None after asking to abort (see Watched)."""


# -- what the loop returns -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class WatchedVerdict:
    verdict: Verdict
    seconds: float
    forensics: Forensics | None = None
    blue_green: BlueGreenResult | None = None


@dataclass(frozen=True, slots=True)
class Watched:
    """A tracker and what its strategy does around it (these may call AWS)."""

    tracker: Tracker
    # After the verdict: forensics for a failure, blue/green details for the summary.
    explain: Callable[[Verdict], Forensics | None] | None = None
    describe: Callable[[Verdict], BlueGreenResult | None] | None = None
    # On the deadline, when the tracker's expire() returned None: abort (e.g. StopDeployment
    # with rollback). Returns a note for the log; the tracker is then watched on.
    abort: Callable[[], str] | None = None
    # Also print the verdict line (tasks print their own result block instead).
    announce: bool = True


# -- reading ---------------------------------------------------------------------------------
class SourceReader:
    """Reads what the trackers asked for, batched by source. The only I/O of a wait."""

    def __init__(self, ecs: EcsApi | None, codedeploy: CodeDeployApi | None) -> None:
        self._ecs = ecs
        self._codedeploy = codedeploy
        self._renewed = False

    def renew_credentials(self) -> bool:
        renewed = [api.renew_credentials() for api in (self._ecs, self._codedeploy) if api]
        return any(renewed)

    def read(self, reads: Iterable[Read]) -> Snapshot:
        wanted = list(dict.fromkeys(reads))
        self._renewed = False
        values: dict[Read, Any] = {}
        problems: dict[Read, tuple[Problem, str]] = {}
        by_cluster: dict[str, list[ServiceRead]] = {}
        for read in wanted:
            if isinstance(read, ServiceRead):
                by_cluster.setdefault(read.cluster, []).append(read)
        for cluster, service_reads in by_cluster.items():
            names = [r.service for r in service_reads]
            self._attempt(service_reads, partial(self._services, cluster, names), values, problems)
        tasks_by_cluster: dict[str, list[TasksRead]] = {}
        for read in wanted:
            if isinstance(read, TasksRead):
                tasks_by_cluster.setdefault(read.cluster, []).append(read)
        for cluster, task_reads in tasks_by_cluster.items():
            self._attempt(task_reads, partial(self._tasks, cluster, task_reads), values, problems)
        for read in wanted:
            if not isinstance(read, ServiceRead | TasksRead):
                self._attempt([read], partial(self._single, read), values, problems)
        return Snapshot(values, problems, self._renewed)

    def _attempt(
        self,
        reads: Sequence[Read],
        call: Callable[[], Mapping[Read, Any]],
        values: dict[Read, Any],
        problems: dict[Read, tuple[Problem, str]],
    ) -> None:
        try:
            try:
                values.update(call())
            except CredentialsExpired:
                if not self.renew_credentials():
                    raise
                self._renewed = True
                values.update(call())
        except TransientAwsError as exc:
            problems.update({read: (Problem.TRANSIENT, str(exc)) for read in reads})
        except CredentialsExpired as exc:
            problems.update({read: (Problem.FAILED, str(exc)) for read in reads})
        except AccessDenied as exc:
            problems.update({read: (Problem.DENIED, str(exc)) for read in reads})
        except OperationUnsupported as exc:
            problems.update({read: (Problem.UNSUPPORTED, str(exc)) for read in reads})
        except DeployError as exc:  # AwsError, or a cluster deleted under us (PreflightError)
            problems.update({read: (Problem.FAILED, str(exc)) for read in reads})

    def _services(self, cluster: str, names: list[str]) -> dict[Read, Any]:
        assert self._ecs is not None
        states = self._ecs.service_states(cluster, names)
        return {ServiceRead(cluster, name): states.get(name) for name in names}

    def _tasks(self, cluster: str, reads: Sequence[TasksRead]) -> dict[Read, Any]:
        assert self._ecs is not None
        arns = list(dict.fromkeys(arn for read in reads for arn in read.arns))
        described = {str(t.get("taskArn")): t for t in self._ecs.describe_tasks(cluster, arns)}
        return {
            read: {arn: EcsTask.from_api(described[arn]) for arn in read.arns if arn in described}
            for read in reads
        }

    def _single(self, read: Read) -> dict[Read, Any]:
        return {read: self._one(read)}

    def _one(self, read: Read) -> Any:
        if isinstance(read, CodeDeployRead | LifecycleRead):
            if self._codedeploy is None:
                raise AwsError("CodeDeploy is needed but no client was given")
            if isinstance(read, CodeDeployRead):
                return self._codedeploy.get_deployment(read.deployment_id)
            return self._codedeploy.lifecycle_events(read.deployment_id)
        assert self._ecs is not None
        if isinstance(read, RecordsRead):
            return self._ecs.service_deployments_since(read.cluster, read.service, read.since)
        if isinstance(read, RevisionsRead):
            return self._ecs.service_revisions(read.arns)
        if isinstance(read, RecordRead):
            return self._ecs.describe_service_deployment(read.arn)
        if isinstance(read, StoppedTasksRead):
            return self._ecs.stopped_tasks(
                read.cluster, read.service, read.deployment_id, read.known
            )
        raise TypeError(f"unknown read {read!r}")


# -- the loop --------------------------------------------------------------------------------
class WatchLoop:
    def __init__(
        self,
        reader: SourceReader,
        clock: Clock,
        reporter: Reporter,
        *,
        poll_interval: float,
        hand_off_at: float | None = None,
    ) -> None:
        self._reader = reader
        self._clock = clock
        self._reporter = reporter
        self._poll_interval = poll_interval
        # A wait ended there by the caller's budget (a Lambda function's time), not by the
        # deployment's own timeout: the deployment goes on and is handed off, so it gets no
        # "timed out" verdict line and no forensics (the caller says "handed off").
        self._hand_off_at = hand_off_at
        self._unreadable_since: dict[str, float] = {}  # operation family -> first failure

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def poll_interval(self) -> float:
        return self._poll_interval

    def run(self, watched: Sequence[Watched], *, live: bool = True) -> dict[str, WatchedVerdict]:
        pending = list(watched)
        self._unreadable_since = {}  # each wait tells its own outages
        verdicts: dict[str, WatchedVerdict] = {}
        names = [w.tracker.name for w in pending]
        if not live:
            return self._loop(pending, verdicts)
        with self._reporter.live_progress(names):
            return self._loop(pending, verdicts)

    def _loop(
        self, pending: list[Watched], verdicts: dict[str, WatchedVerdict]
    ) -> dict[str, WatchedVerdict]:
        while pending:
            reads = [read for w in pending for read in w.tracker.reads()]
            snapshot = self._reader.read(reads)
            more = [read for w in pending for read in w.tracker.followups(snapshot)]
            if more:
                snapshot = snapshot.merged(self._reader.read(more))
                reads += more
            self._tell_outages(snapshot, reads)
            if snapshot.renewed:
                self._reporter.warning(
                    "AWS credentials expired; renewed them from the default chain"
                )
            now = self._clock.now()
            for item in list(pending):
                verdict = self._observe(item, snapshot, now)
                if verdict is None:
                    continue
                verdicts[item.tracker.name] = self._finish(item, verdict, now)
                pending.remove(item)
            if pending:
                nearest = min(item.tracker.deadline for item in pending)
                self._clock.sleep(max(0.0, min(self._poll_interval, nearest - now)))
        return verdicts

    def _observe(self, item: Watched, snapshot: Snapshot, now: float) -> Verdict | None:
        tracker = item.tracker
        step = tracker.observe(snapshot, now)
        for kind, text in step.notes:
            self._note(tracker.name, kind, text)
        if step.verdict is not None or now < tracker.deadline:
            return step.verdict
        verdict = tracker.expire(now)
        if verdict is None and item.abort is not None:
            self._reporter.warning(f"{tracker.name}: {item.abort()}")
        return verdict

    def _finish(self, item: Watched, verdict: Verdict, now: float) -> WatchedVerdict:
        tracker = item.tracker
        seconds = now - tracker.started_at
        evidence = None
        handed_off = self._handed_off(tracker, verdict)
        if not verdict.outcome.ok and item.explain is not None and not handed_off:
            evidence = item.explain(verdict)
        blue_green = item.describe(verdict) if item.describe is not None else None
        if item.announce and not handed_off:
            self._reporter.verdict(tracker.name, verdict.outcome, verdict.reason, seconds, evidence)
        return WatchedVerdict(verdict, seconds, evidence, blue_green)

    def _handed_off(self, tracker: Tracker, verdict: Verdict) -> bool:
        return (
            verdict.outcome is Outcome.TIMED_OUT
            and self._hand_off_at is not None
            and tracker.deadline >= self._hand_off_at
        )

    def _note(self, name: str, kind: Note, text: str) -> None:
        if kind is Note.PROGRESS:
            self._reporter.progress(name, text)
        elif kind is Note.EVENT:
            self._reporter.service_event(name, text)
        elif kind is Note.WARNING:
            self._reporter.warning(f"{name}: {text}")
        else:
            self._reporter.info(f"{name}: {text}")

    def _tell_outages(self, snapshot: Snapshot, reads: Sequence[Read]) -> None:
        """One warning when a source stops answering, one line when it answers again."""
        now = self._clock.now()
        failing: dict[str, str] = {}
        for read in reads:
            problem = snapshot.problem(read)
            if problem is not None and problem[0] is Problem.TRANSIENT:
                failing.setdefault(type(read).__name__, problem[1])
        for source, message in failing.items():
            if source not in self._unreadable_since:
                self._unreadable_since[source] = now
                self._reporter.warning(
                    f"{message}; still waiting (transient errors are retried until the "
                    "deadline; the deployments go on in ECS meanwhile)"
                )
        for source in list(self._unreadable_since):
            if source not in failing and any(type(r).__name__ == source for r in reads):
                since = self._unreadable_since.pop(source)
                self._reporter.info(
                    f"AWS answered again after {format_duration(max(0.0, now - since))} "
                    "of transient errors"
                )


def unreadable(snapshot: Snapshot, read: Read) -> str | None:
    """The message of a permanent failure of a read the tracker cannot do without."""
    problem = snapshot.problem(read)
    if problem is None or problem[0] is Problem.TRANSIENT:
        return None
    return problem[1]


def records_of(snapshot: Snapshot, read: RecordsRead) -> list[ServiceDeploymentRecord] | None:
    value = snapshot.get(read)
    return list(value) if isinstance(value, list) else None


def revisions_of(snapshot: Snapshot, read: RevisionsRead) -> dict[str, ServiceRevision]:
    value = snapshot.get(read)
    return dict(value) if isinstance(value, dict) else {}


def codedeploy_of(snapshot: Snapshot, read: CodeDeployRead) -> CodeDeployDeployment | None:
    value = snapshot.get(read)
    return value if isinstance(value, CodeDeployDeployment) else None


def events_of(snapshot: Snapshot, read: LifecycleRead) -> LifecycleEvents | None:
    value = snapshot.get(read)
    return value if isinstance(value, tuple) else None
