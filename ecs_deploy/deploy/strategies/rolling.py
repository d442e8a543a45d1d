"""Rolling deployments (deployment controller ECS): start, track, explain.

Start: register what changed, UpdateService, keep the id of the deployment ECS created.

Track (pure, `RollingTracker.observe`): the verdict is about that deployment, never "the
service is stable" (after a circuit-breaker rollback the service is stable on the old
revision: the bug every peer shipped). What ECS documents and this follows:
- ECS's own verdict: our deployment's rolloutState COMPLETED / FAILED, sharpened by our
  service deployment record (ListServiceDeployments) where the API exists and is allowed.
- A circuit-breaker rollback has two shapes: the last COMPLETED deployment goes back to
  IN_PROGRESS (same id, created before ours: the developer guide's description, and what a
  DescribeServices recorded on AWS shows, tests/replay/recorded/), or, as users report, a
  new deployment of the old revision whose reason says "rolling back to deploymentId ...".
  When none of our tasks ran, our FAILED deployment leaves deployments[] within a second or
  two, so a poll may never see FAILED. `rolled_back` is only said once ECS's rollback
  completed; while it runs we wait (within the service's timeout) and never start a
  rollback of our own on top of it. A rollback counts as ours only when ours FAILED (or is
  gone) and no other deployment replaced ours first.
- ECS omits duplicate service event messages (until the cause is resolved or six hours
  pass): one "unable to place a task" event can be all there is, so progress of our
  deployment's own counts (a task of ours pending, more of ours running) resets the clock.
- Fail fast only on start failures no retry fixes (startup.py); for those ECS retries, the
  service's circuit breaker and its (configurable) threshold decide.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ecs_deploy.aws.ecs import EcsApi
from ecs_deploy.aws.logs import LogsApi
from ecs_deploy.aws.state import (
    EcsDeployment,
    EcsService,
    EcsTask,
    ServiceDeploymentRecord,
    ServiceRevision,
)
from ecs_deploy.config.durations import format_duration
from ecs_deploy.config.settings import FailFastPolicy
from ecs_deploy.deploy import forensics
from ecs_deploy.deploy.clock import Clock
from ecs_deploy.deploy.registrar import Registrar
from ecs_deploy.deploy.started import StartedDeployment
from ecs_deploy.deploy.startup import StartFailure, classify
from ecs_deploy.deploy.verdict import Verdict
from ecs_deploy.deploy.watch import (
    Note,
    Problem,
    Read,
    RecordsRead,
    RevisionsRead,
    ServiceRead,
    Snapshot,
    Step,
    StoppedTasksRead,
    Watched,
    records_of,
    revisions_of,
    unreadable,
)
from ecs_deploy.errors import AwsError
from ecs_deploy.plan.deployment import ServicePlan
from ecs_deploy.results import Forensics, Outcome, revision_of

UNABLE_TO_PLACE = "was unable to place a task"
# How far a service deployment record's createdAt may be from our ECS deployment's: AWS
# promises no window; records are also matched on the task definition they deploy.
RECORD_TOLERANCE = timedelta(minutes=5)
RECORD_SKEW = timedelta(seconds=15)  # how much earlier than ours a record may be stamped
# After ours FAILED under a breaker that rolls back, how long to wait for the rollback to show
# before calling it failed (AWS shows it with FAILED or before: a clock for slow reads only).
ROLLBACK_APPEARS_WITHIN = 120.0
# Service deployment statuses (botocore's ServiceDeploymentStatus) where ECS rolls back.
ROLLING_BACK = frozenset({"ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"})


def start_rolling(
    plan: ServicePlan, ecs: EcsApi, registrar: Registrar, clock: Clock
) -> StartedDeployment:
    arn, registered = registrar.arn_for(plan.task_definition)
    started_at = clock.now()
    sent_at = datetime.now(UTC)
    service = ecs.update_service(
        cluster=plan.cluster,
        service=plan.name,
        task_definition=arn,
        # Redeploying an unsettled revision needs a new deployment ECS would not start itself.
        force_new_deployment=plan.force_new_deployment or plan.redeploy_reason is not None,
        desired_count=plan.desired_count,
        extra=plan.update_params,
    )
    state = EcsService.from_api(service)
    primary = state.primary
    # Only a scale change: ECS started no deployment; the verdict is then on the counts.
    ours = None if primary is None or primary.id == plan.live_primary_id else primary
    return StartedDeployment(
        plan=plan,
        task_definition_arn=arn,
        registered=registered,
        deployment_id=ours.id if ours else None,
        started_at=started_at,
        started_wall=ecs_start_time(ours, sent_at),
        created_at=ours.created_at if ours else None,
    )


def follow_rolling(plan: ServicePlan, clock: Clock) -> StartedDeployment:
    """The deployment of this revision ECS has under way (plan.follows): watched as if this
    run had started it, with no UpdateService."""
    followed = plan.follows
    if followed is None:
        raise ValueError(f"{plan.name}: no deployment to follow")
    return existing_deployment(
        plan,
        plan.current_task_definition_arn,
        followed.id,
        followed.created_at,
        datetime.now(UTC),
        clock,
    )


def existing_deployment(
    plan: ServicePlan,
    task_definition_arn: str,
    deployment_id: str,
    created_at: datetime | None,
    seen_at: datetime,
    clock: Clock,
) -> StartedDeployment:
    """A deployment this run did not start (a previous event's, ECS's rollback), watched and
    judged as one it started: its events count from its creation (a little early, as in
    ecs_start_time), or with more slack from `seen_at` when ECS gives no creation time."""
    anchor = created_at or seen_at
    return StartedDeployment(
        plan=plan,
        task_definition_arn=task_definition_arn,
        registered=False,
        deployment_id=deployment_id,
        started_at=clock.now(),
        started_wall=anchor - timedelta(milliseconds=500 if created_at else 2000),
        created_at=created_at,
        followed=True,
    )


def ecs_start_time(ours: EcsDeployment | None, sent_at: datetime) -> datetime:
    """When ECS says our deployment began, on ECS's clock (events use it too), a little early
    so an event stamped a few milliseconds before still counts; our own clock, with more
    slack, when ECS gives no time or started no deployment (a scale-only update: the old
    PRIMARY's time would replay its events as ours)."""
    if ours is not None and ours.created_at is not None:
        return ours.created_at - timedelta(milliseconds=500)
    return sent_at - timedelta(seconds=2)


def match_record(
    records: Iterable[ServiceDeploymentRecord],
    revisions: Mapping[str, ServiceRevision],
    *,
    created_at: datetime | None,
    since: datetime,
    task_definition: str,
    current: str | None,
) -> ServiceDeploymentRecord | None:
    """Our service deployment among the service's recent ones. Pure.

    On AWS its id is random (not our ecs-svc number) and nothing promises how close its
    createdAt is to our deployment's, so: records created from RECORD_SKEW before our
    deployment to RECORD_TOLERANCE after it, not finished before it began, whose target
    revision deploys our task definition (where the revisions could be read; otherwise only
    records created after our update); the closest in time first, and
    service.currentServiceDeployment (which can be stale) breaks ties.
    """
    anchor = created_at or since
    candidates = [
        r
        for r in records
        if (
            r.created_at is None
            or anchor - RECORD_SKEW <= r.created_at <= anchor + RECORD_TOLERANCE
        )
        and (r.finished_at is None or r.finished_at >= anchor)
    ]
    known = [r for r in candidates if r.target_revision_arn in revisions]
    if known:
        candidates = [
            r
            for r in known
            if revisions[str(r.target_revision_arn)].task_definition == task_definition
        ]
    else:
        candidates = [r for r in candidates if r.created_at is None or r.created_at >= since]
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda r: (abs((r.created_at or anchor) - anchor), r.arn != current),
    )


@dataclass
class RollingTracker:
    """Follows one rolling deployment from snapshots (no AWS calls)."""

    deployment: StartedDeployment
    deadline: float
    policy: FailFastPolicy
    # Whether to read the service deployments API at every poll (blue/green needs it).
    records_every_poll: bool = False
    # -- what it remembers between polls
    stopped: dict[str, EcsTask] = field(default_factory=dict)
    failed_seen: int = 0
    stopped_usable: bool = True  # False once ListTasks/DescribeTasks is denied (said once)
    events: list[str] = field(default_factory=list)
    event_ids: set[str] = field(default_factory=set)
    unplaced_since: float | None = None
    unplaced_message: str | None = None
    last_progress: str = ""
    records_usable: bool = True  # False once the API is missing or denied (said once)
    revisions_usable: bool = True
    revisions: dict[str, ServiceRevision] = field(default_factory=dict)
    _pending_revisions: RevisionsRead | None = None  # target revisions to read next poll
    record: ServiceDeploymentRecord | None = None
    ecs_rolling_back: bool = False
    rollback_reason: str = ""  # "ECS deployment circuit breaker: rolling back to ..."
    rollback_id: str | None = None  # ECS's rollback deployment, once seen
    superseded_by: str | None = None  # a newer deployment that became PRIMARY over ours
    failed_seen_at: float | None = None  # when ours was first seen FAILED
    last_ours: EcsDeployment | None = None
    current_service_deployment: str | None = None  # as DescribeServices last said (may lag)
    last_running: int = 0

    @property
    def name(self) -> str:
        return self.deployment.plan.name

    @property
    def started_at(self) -> float:
        return self.deployment.started_at

    @property
    def cluster(self) -> str:
        return self.deployment.plan.cluster

    # -- reads ------------------------------------------------------------------------------
    def _service_read(self) -> ServiceRead:
        return ServiceRead(self.cluster, self.name)

    def _records_read(self) -> RecordsRead:
        return RecordsRead(self.cluster, self.name, self.deployment.started_wall - RECORD_TOLERANCE)

    def _stopped_read(self) -> StoppedTasksRead | None:
        if not self.deployment.deployment_id:
            return None
        return StoppedTasksRead(
            self.cluster, self.name, self.deployment.deployment_id, frozenset(self.stopped)
        )

    def reads(self) -> Iterable[Read]:
        yield self._service_read()
        if self.records_usable and self.records_every_poll:
            yield self._records_read()
            if self._pending_revisions is not None:
                yield self._pending_revisions

    def followups(self, snapshot: Snapshot) -> Iterable[Read]:
        service = snapshot.service(self._service_read())
        if service is None:
            return
        ours = service.deployment(self.deployment.deployment_id)
        stopped = self._stopped_read()
        grew = ours is not None and ours.failed_tasks not in (0, self.failed_seen)
        if stopped is not None and self.stopped_usable and grew:
            yield stopped  # to fail fast and to explain
        if self.records_usable and not self.records_every_poll and self._off_course(ours):
            yield self._records_read()  # ECS's own words on what happens to ours
            if self._pending_revisions is not None:
                yield self._pending_revisions

    def _off_course(self, ours: EcsDeployment | None) -> bool:
        """Failed, gone from deployments[], or rolling back: read the service deployment."""
        return self.deployment.deployment_id is not None and (
            ours is None or ours.rollout_state == "FAILED" or self.ecs_rolling_back
        )

    # -- observing --------------------------------------------------------------------------
    def observe(self, snapshot: Snapshot, now: float) -> Step:
        notes: list[tuple[Note, str]] = []
        read = self._service_read()
        permanent = unreadable(snapshot, read)
        if permanent is not None:
            raise AwsError(f"{self.name}: cannot read the service: {permanent}")
        if not snapshot.has(read):
            return Step()  # a transient error: this poll learns nothing; the deadline holds
        service = snapshot.service(read)
        if service is None:
            return Step(Verdict(Outcome.FAILED, "the service no longer exists"))
        ours = service.deployment(self.deployment.deployment_id)
        self.current_service_deployment = service.current_service_deployment
        self._take_stopped(snapshot, ours, notes)
        self._take_records(snapshot, notes)
        if ours is not None:
            self.last_ours = ours
            if ours.failed_tasks == 0:
                self.failed_seen = 0  # reset on a healthy task (resetOnHealthyTask): count anew
        self._follow_events(service, ours, now, notes)
        self._progress(ours, notes)
        verdict = self._judge(service, ours, now)
        going = ours is not None and ours.rollout_state in (None, "IN_PROGRESS")
        if verdict is None and ours is not None and going and not self.ecs_rolling_back:
            verdict = self._fail_fast(service, ours, now)
        return Step(verdict, tuple(notes))

    def _take_stopped(
        self, snapshot: Snapshot, ours: EcsDeployment | None, notes: list[tuple[Note, str]]
    ) -> None:
        read = self._stopped_read()
        if read is None or ours is None:
            return
        tasks = snapshot.get(read)
        if isinstance(tasks, list):
            self.stopped.update({task.arn: task for task in tasks})
            self.failed_seen = ours.failed_tasks
            return
        problem = snapshot.problem(read)
        if problem is not None and problem[0] is not Problem.TRANSIENT:
            # Explaining is worth a warning, never the run: ECS's own verdict still comes
            # (without failing fast on start failures, which needs the stopped tasks).
            notes.append(
                (
                    Note.WARNING,
                    f"stopped tasks unavailable ({problem[1]}); no fail-fast or stopped-task "
                    "forensics (allow ecs:ListTasks and ecs:DescribeTasks)",
                )
            )
            self.stopped_usable = False

    def _take_records(self, snapshot: Snapshot, notes: list[tuple[Note, str]]) -> None:
        read = self._records_read()
        if not self.records_usable or (not snapshot.has(read) and not snapshot.problem(read)):
            return
        problem = snapshot.problem(read)
        if problem is not None and problem[0] in (Problem.DENIED, Problem.UNSUPPORTED):
            self.records_usable = False
            if problem[0] is Problem.DENIED:
                notes.append(
                    (
                        Note.WARNING,
                        f"service deployment details unavailable ({problem[1]}); the verdict "
                        "comes from rolloutState (allow ecs:ListServiceDeployments and "
                        "ecs:DescribeServiceDeployments to see them)",
                    )
                )
            return
        records = records_of(snapshot, read)
        if records is None:
            return
        if self._pending_revisions is not None:
            revisions_read = self._pending_revisions
            found = revisions_of(snapshot, revisions_read)
            self.revisions.update(found)
            revision_problem = snapshot.problem(revisions_read)
            if revision_problem is not None and revision_problem[0] is not Problem.TRANSIENT:
                self.revisions_usable = False  # matched on time alone from now on
            self._pending_revisions = None
        wanted = tuple(
            sorted(
                {
                    str(r.target_revision_arn)
                    for r in records
                    if r.target_revision_arn and r.target_revision_arn not in self.revisions
                }
            )
        )
        if wanted and self.revisions_usable:
            self._pending_revisions = RevisionsRead(wanted)
        self.record = match_record(
            records,
            self.revisions,
            created_at=self.deployment.created_at,
            since=self.deployment.started_wall,
            task_definition=self.deployment.task_definition_arn,
            current=self.current_service_deployment,
        )

    def _follow_events(
        self,
        service: EcsService,
        ours: EcsDeployment | None,
        now: float,
        notes: list[tuple[Note, str]],
    ) -> None:
        if ours is not None:
            # A task of ours pending is a task ECS placed (pulling its image), and more of ours
            # running is progress too, whatever the events say (ECS does not repeat an "unable
            # to place" message it already showed). The same tasks running is not: a partial
            # placement stalls with some running.
            if ours.pending > 0 or ours.running > self.last_running:
                self.unplaced_since = None
            self.last_running = ours.running
        since = self.deployment.started_wall
        for event in reversed(service.events):  # ECS lists newest first
            if event.id in self.event_ids or (event.created_at and event.created_at < since):
                continue
            self.event_ids.add(event.id)
            self.events.append(event.message)
            notes.append((Note.EVENT, event.message))
            if UNABLE_TO_PLACE in event.message:
                if self.unplaced_since is None:
                    self.unplaced_since = now
                self.unplaced_message = event.message

    def _progress(self, ours: EcsDeployment | None, notes: list[tuple[Note, str]]) -> None:
        if ours is None:
            return
        line = f"{ours.counts()}, rollout {ours.rollout_state or 'unknown'}"
        line += self.progress_suffix()
        if line != self.last_progress:
            self.last_progress = line
            notes.append((Note.PROGRESS, line))

    def progress_suffix(self) -> str:
        return ""

    # -- the verdict ------------------------------------------------------------------------
    @property
    def _anchor(self) -> datetime:
        """When ECS created our deployment (our own clock's guess when it gave no time)."""
        return self.deployment.created_at or (
            self.deployment.started_wall + timedelta(milliseconds=500)
        )

    def _reactivated(self, deployment: EcsDeployment) -> bool:
        """Created before ours and changed after ours was created: only ECS's rollback puts an
        older deployment back in progress (an UpdateService always creates a new one)."""
        anchor = self._anchor
        return (
            deployment.created_at is not None
            and deployment.created_at < anchor
            and deployment.updated_at is not None
            and deployment.updated_at > anchor
        )

    def _rollback_deployment(self, service: EcsService) -> EcsDeployment | None:
        """ECS's rollback of ours, if the PRIMARY is one: the last COMPLETED deployment
        re-activated, or a new one whose reason says "rolling back to deploymentId ...". Once
        found it is known by its id (a later PRIMARY is someone else's)."""
        primary = service.primary
        if primary is None or primary.id == self.deployment.deployment_id:
            return None
        if self.rollback_id is not None:
            return primary if primary.id == self.rollback_id else None
        # ECS rolls back a FAILED deployment: ours, only if ours is FAILED or gone and no other
        # deployment replaced ours before (then the rollback is of that one's failure).
        ours = service.deployment(self.deployment.deployment_id)
        if ours is not None and ours.rollout_state != "FAILED":
            return None
        if self.superseded_by is not None:
            return None
        says = "rolling back" in primary.rollout_reason.lower()
        if self._reactivated(primary) or says:
            self.rollback_id = primary.id
            return primary
        return None

    def _judge(self, service: EcsService, ours: EcsDeployment | None, now: float) -> Verdict | None:
        deployment = self.deployment
        runs_ours = service.task_definition == deployment.task_definition_arn
        if deployment.deployment_id is None:
            return _judge_scale(service, runs_ours)
        from_record = self._judge_record(service, ours, runs_ours)
        if from_record is not None:
            return from_record
        rollback = self._rollback_deployment(service)
        if rollback is not None:
            return self._judge_rollback(rollback, ours, service)
        primary = service.primary
        moving = ours is not None and ours.rollout_state not in ("FAILED", "COMPLETED")
        if moving and primary is not None and ours is not None and primary.id != ours.id:
            # Ours ACTIVE while in progress: ECS makes a deployment ACTIVE only when a newer
            # one becomes PRIMARY (an UpdateService by someone else).
            self.superseded_by = primary.id
            return Verdict(
                Outcome.SUPERSEDED,
                f"deployment {ours.id} was replaced by {primary.id} "
                f"({revision_of(primary.task_definition)}) while in progress",
            )
        if ours is None:
            return self._judge_gone(service, runs_ours)
        if ours.rollout_state == "COMPLETED":
            if runs_ours:
                return Verdict(Outcome.SUCCEEDED, ours.rollout_reason or "deployment completed")
            return Verdict(
                Outcome.SUPERSEDED,
                "deployment completed but the service now runs "
                f"{revision_of(service.task_definition)}",
            )
        if ours.rollout_state == "FAILED":
            return self._judge_failed(service, ours, now)
        if ours.rollout_state is None and _settled_on(service, ours):
            # Very old services report no rolloutState: fall back to counts on our deployment.
            return Verdict(
                Outcome.SUCCEEDED, "the service's only deployment runs our task definition"
            )
        return None

    def _judge_record(
        self, service: EcsService, ours: EcsDeployment | None, runs_ours: bool
    ) -> Verdict | None:
        """ECS's own words on our service deployment, where the API gave them."""
        record = self.record
        if record is None:
            return None
        reason = self._failure_reason(ours, record)
        if record.status == "SUCCESSFUL" and runs_ours:
            return Verdict(Outcome.SUCCEEDED, record.status_reason or "deployment completed")
        if record.status == "ROLLBACK_SUCCESSFUL":
            self.ecs_rolling_back = True
            return Verdict(Outcome.ROLLED_BACK, reason, ecs_rollback=True)
        if record.status == "ROLLBACK_FAILED":
            self.ecs_rolling_back = True
            return Verdict(
                Outcome.FAILED,
                f"{reason}; ECS's rollback failed too: the service may run neither revision",
                ecs_rollback=True,
            )
        if record.status in ROLLING_BACK:
            self.ecs_rolling_back = True
            return None  # rolled back is said once the rollback completed
        if record.status == "STOPPED":
            if ours is not None and ours.rollout_state == "FAILED":
                # With a breaker that rolls back, the rollback deployment decides.
                return None if service.breaker.rolls_back else Verdict(Outcome.FAILED, reason)
            if ours is None or ours.rollout_state != "COMPLETED":
                return Verdict(
                    Outcome.SUPERSEDED,
                    f"deployment {self.deployment.deployment_id} was replaced "
                    f"({record.status_reason or 'its service deployment was stopped'}); the "
                    f"service runs {revision_of(service.task_definition)}",
                )
        return None

    def _failure_reason(
        self, ours: EcsDeployment | None, record: ServiceDeploymentRecord | None
    ) -> str:
        """Why ours failed, in ECS's words (the first of: its rolloutStateReason once FAILED,
        which a poll may never see; the record's statusReason; the service event about it),
        then how ECS rolled back."""
        known = ours or self.last_ours
        mine = f"(deployment {self.deployment.deployment_id})"
        causes = [
            known.rollout_reason if known and known.rollout_state == "FAILED" else "",
            record.status_reason if record is not None else "",
            *(e.split(mine, 1)[1].strip() for e in self.events if mine in e and "fail" in e),
        ]
        cause = next((text for text in causes if text), "deployment failed")
        rollback = self.rollback_reason or (record.rollback_reason if record else None) or ""
        if not rollback or rollback == cause:
            return cause
        return f"{cause.rstrip('.')}; {rollback.rstrip('.')}"

    def _judge_failed(self, service: EcsService, ours: EcsDeployment, now: float) -> Verdict | None:
        """Ours FAILED and no rollback deployment is seen (yet)."""
        reason = ours.rollout_reason or "deployment failed"
        if not service.breaker.rolls_back:
            return Verdict(Outcome.FAILED, reason)
        primary = service.primary
        if primary is not None and primary.id != ours.id:
            # Not ECS's rollback (that was checked first): someone else's deployment. Rolling
            # back now would undo theirs.
            return Verdict(
                Outcome.SUPERSEDED,
                f"{reason}; since then deployment {primary.id} "
                f"({revision_of(primary.task_definition)}) replaced it",
            )
        # "it looks for the most recent deployment that is in a COMPLETED state ... When the
        # deployment circuit breaker does not find a deployment that is in a COMPLETED
        # state, ... the deployment is stalled" (developer guide). On AWS the rollback shows
        # with FAILED or soon after; wait a bounded time for it, then say failed.
        if self.ecs_rolling_back:
            return None  # ECS's record says it rolls back (ROLLBACK_REQUESTED / IN_PROGRESS)
        if self.failed_seen_at is None:
            self.failed_seen_at = now
        completed = any(
            d.rollout_state == "COMPLETED" and d.id != ours.id for d in service.deployments
        )
        if completed and now - self.failed_seen_at < ROLLBACK_APPEARS_WITHIN:
            return None
        why = (
            "ECS did not roll back (no earlier deployment completed to return to)"
            if not completed
            else f"ECS's rollback did not show within {format_duration(ROLLBACK_APPEARS_WITHIN)}"
        )
        return Verdict(Outcome.FAILED, f"{reason}; {why}")

    def _judge_rollback(
        self, rollback: EcsDeployment, ours: EcsDeployment | None, service: EcsService
    ) -> Verdict | None:
        """ECS's rollback deployment (a new one, or the last COMPLETED one re-activated)."""
        self.ecs_rolling_back = True
        if "rolling back" in rollback.rollout_reason.lower():
            self.rollback_reason = rollback.rollout_reason
        reason = self._failure_reason(ours, self.record)
        by = "ECS"
        if service.breaker.rolls_back and "circuit breaker" not in reason:
            by = "ECS's deployment circuit breaker"
        if rollback.rollout_state == "COMPLETED":
            return Verdict(
                Outcome.ROLLED_BACK,
                f"{reason}; {by} rolled back to {revision_of(rollback.task_definition)}",
                ecs_rollback=True,
            )
        if rollback.rollout_state == "FAILED":
            return Verdict(
                Outcome.FAILED,
                f"{reason}; ECS's rollback failed too: the service may run neither revision",
                ecs_rollback=True,
            )
        return None

    def _judge_gone(self, service: EcsService, runs_ours: bool) -> Verdict | None:
        """Ours is not in deployments[] and the PRIMARY is not ECS's rollback of it."""
        primary = service.primary
        if primary is None:
            return None
        if primary.created_at is not None and primary.created_at < self._anchor:
            # An older deployment, unchanged since ours was created: an eventually
            # consistent read from before our update. Look again.
            return None
        if runs_ours and primary.rollout_state == "COMPLETED":
            return Verdict(Outcome.SUCCEEDED, "a later deployment of our task definition completed")
        return Verdict(
            Outcome.SUPERSEDED,
            f"deployment {self.deployment.deployment_id} was replaced by {primary.id}; "
            f"the service runs {revision_of(service.task_definition)}",
        )

    # -- certain before ECS says so ---------------------------------------------------------
    def _fail_fast(self, service: EcsService, ours: EcsDeployment, now: float) -> Verdict | None:
        permanent = [t for t in self.stopped.values() if classify(t) is StartFailure.PERMANENT]
        if len(permanent) >= self.policy.max_start_failures and ours.running == 0:
            essential = forensics.essential_containers(
                self.deployment.plan.task_definition.register_params
            )
            top = forensics.group_stopped_tasks([t.raw for t in permanent], essential)[0]
            reason = (
                f"{len(permanent)} tasks of the new revision failed to start, for a cause no "
                f"retry fixes: {top.describe()}"
            )
            # Said now. A rollback of ours (rollback: on-failure) replaces this deployment,
            # so ECS's breaker has nothing left to roll back: no guess about ECS is made.
            return Verdict(Outcome.FAILED, reason)
        threshold = service.breaker.threshold(ours.desired)
        if not service.breaker.enabled and ours.desired and ours.failed_tasks >= threshold:
            return Verdict(
                Outcome.STALLED,
                f"crash loop: {ours.failed_tasks} tasks of the new revision failed and "
                f"{ours.running}/{ours.desired} run; the circuit breaker is off, so ECS would "
                "keep retrying forever",
            )
        if self.unplaced_since is not None:
            unplaced_for = now - self.unplaced_since
            if unplaced_for >= self.policy.placement_grace_seconds:
                return Verdict(
                    Outcome.STALLED,
                    f"ECS could not place tasks for {format_duration(unplaced_for)}: "
                    f"{self.unplaced_message or UNABLE_TO_PLACE}",
                )
        return None

    def expire(self, now: float) -> Verdict | None:
        waited = format_duration(self.deadline - self.deployment.started_at)
        ours = self.last_ours
        state = f": {ours.counts()}, rollout {ours.rollout_state or 'unknown'}" if ours else ""
        if self.ecs_rolling_back:
            return Verdict(
                Outcome.TIMED_OUT,
                f"no verdict after {waited}: ECS is still rolling back "
                f"({self._failure_reason(None, self.record)})",
                ecs_rollback=True,
            )
        return Verdict(Outcome.TIMED_OUT, f"no verdict after {waited}{state}")


def _judge_scale(service: EcsService, runs_ours: bool) -> Verdict | None:
    """No deployment was started (only desiredCount changed): the verdict is on the counts."""
    primary = service.primary
    if primary is not None and runs_ours and _settled_on(service, primary):
        return Verdict(
            Outcome.SUCCEEDED, f"{primary.running}/{primary.running} tasks run after the scale"
        )
    return None


def _settled_on(service: EcsService, deployment: EcsDeployment) -> bool:
    return (
        len(service.deployments) == 1
        and deployment.running == deployment.desired
        and not deployment.pending
    )


def explainer(tracker: RollingTracker, ecs: EcsApi, logs: LogsApi | None) -> Any:
    """Forensics after a failure: the stopped tasks of our deployment, events, log tails."""

    def explain(verdict: Verdict) -> Forensics:
        read = tracker._stopped_read()
        if read is not None and tracker.stopped_usable:
            try:
                tasks = ecs.stopped_tasks(
                    read.cluster, read.service, read.deployment_id, read.known
                )
                tracker.stopped.update({task.arn: task for task in tasks})
            except AwsError as exc:  # forensics must never hide the verdict itself
                return Forensics(
                    events=tuple(tracker.events), notes=(f"stopped tasks unavailable: {exc}",)
                )
        return forensics.collect(
            ecs=ecs,
            logs=logs,
            cluster=tracker.cluster,
            service=tracker.name,
            stopped_tasks=[task.raw for task in tracker.stopped.values()],
            task_definition=tracker.deployment.plan.task_definition.register_params,
            events=tracker.events,
        )

    return explain


def watch_rolling(
    deployment: StartedDeployment,
    run_deadline: float | None,
    policy: FailFastPolicy,
    ecs: EcsApi,
    logs: LogsApi | None,
) -> Watched:
    tracker = RollingTracker(deployment, deployment.deadline(run_deadline), policy)
    return Watched(tracker, explain=explainer(tracker, ecs, logs))
