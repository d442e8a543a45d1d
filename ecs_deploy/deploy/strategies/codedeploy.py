"""CodeDeploy blue/green (deployment controller CODE_DEPLOY): create the deployment, then
follow it through GetDeployment and the ECS target's lifecycle events.

The verdict is CodeDeploy's own status of the deployment this run created (never "the service
is stable"): Succeeded, or InProgress past AfterAllowTraffic (the termination wait: production
already runs the replacement task set); Failed with errorInformation; Failed or Stopped is
rolled back only once the rollback deployment CodeDeploy started has Succeeded; Ready when the
run was asked to return once test traffic reaches the replacement task set.

ListDeploymentTargets / BatchGetDeploymentTargets raise DeploymentNotStartedException while a
fresh deployment is Created: that is "no events yet" (aws/codedeploy.py), never an IAM
problem. Only AccessDenied means denied, and only for that deployment. On our timeout with
`rollback: on-failure` a deployment is stopped with automatic rollback only when its events
show production traffic has not moved: when they cannot be read, it is never stopped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ecs_deploy.aws.codedeploy import CodeDeployApi
from ecs_deploy.aws.state import CodeDeployDeployment, LifecycleEvents
from ecs_deploy.config.bluegreen import WAIT_UNTIL_READY
from ecs_deploy.config.durations import format_duration
from ecs_deploy.deploy.clock import Clock
from ecs_deploy.deploy.registrar import Registrar
from ecs_deploy.deploy.started import StartedDeployment
from ecs_deploy.deploy.verdict import Verdict
from ecs_deploy.deploy.watch import (
    CodeDeployRead,
    LifecycleRead,
    Note,
    Problem,
    Read,
    Snapshot,
    Step,
    Watched,
    codedeploy_of,
    events_of,
    unreadable,
)
from ecs_deploy.errors import AwsError, DeployError
from ecs_deploy.plan.appspec import render_appspec
from ecs_deploy.plan.deployment import ServicePlan
from ecs_deploy.results import BlueGreenResult, Outcome


def start_codedeploy(
    plan: ServicePlan, codedeploy: CodeDeployApi, registrar: Registrar, clock: Clock
) -> StartedDeployment:
    """Register (or reuse) the task definition and create the CodeDeploy deployment."""
    spec = plan.codedeploy
    if spec is None:  # planning sets it for every CodeDeploy service
        raise DeployError(f"{plan.name}: no CodeDeploy plan")
    arn, registered = registrar.arn_for(plan.task_definition)
    appspec = render_appspec(
        spec.appspec,
        arn,
        container_name=spec.container_name,
        container_port=spec.container_port,
        source=spec.appspec_source,
    )
    started_at = clock.now()
    started_wall = datetime.now(UTC) - timedelta(seconds=2)
    deployment_id = codedeploy.create_deployment(
        application=spec.application,
        group=spec.deployment_group,
        revision=appspec.revision,
        description=spec.description,
        deployment_config=spec.deployment_config,
    )
    return StartedDeployment(
        plan=plan,
        task_definition_arn=arn,
        registered=registered,
        deployment_id=deployment_id,
        started_at=started_at,
        started_wall=started_wall,
    )


def judge_codedeploy(
    info: CodeDeployDeployment,
    wait_until: str | None,
    *,
    rollback: CodeDeployDeployment | None = None,
    events: LifecycleEvents = (),
    termination_wait_lands: bool = True,
) -> Verdict | None:
    """The verdict on a CodeDeploy deployment, or None while it (or its rollback) goes on. Pure.

    `rollback` is GetDeployment of rollbackInfo.rollbackDeploymentId, where there is one: a
    rollback is a deployment of its own, and only its Succeeded means "rolled back".
    """
    status = info.status
    if status == "Succeeded":
        return Verdict(Outcome.SUCCEEDED, "CodeDeploy deployment succeeded")
    if status in ("Failed", "Stopped"):
        what = "failed" if status == "Failed" else "was stopped"
        return _after_rollback(
            f"CodeDeploy deployment {what}" + _detail(info.error), info, rollback
        )
    if status == "InProgress" and termination_wait_lands and landed(events):
        # The termination wait: production runs the replacement task set; CodeDeploy only
        # keeps the original one for a while (the group's terminationWaitTimeInMinutes).
        return Verdict(
            Outcome.SUCCEEDED,
            "CodeDeploy deployment landed: production traffic reaches the replacement task "
            "set; terminating the original task set is pending (the group's termination wait)",
        )
    if status == "Ready" and wait_until == WAIT_UNTIL_READY:
        return Verdict(
            Outcome.READY,
            "ready: test traffic reaches the replacement task set; finish with "
            "`ecs-deploy continue` (CONTINUE reroutes production traffic, ROLLBACK stops it)",
        )
    return None


def _after_rollback(
    reason: str, info: CodeDeployDeployment, rollback: CodeDeployDeployment | None
) -> Verdict | None:
    rollback_id = info.rollback_deployment_id
    message = info.rollback_message
    if not rollback_id:
        # CodeDeploy also writes rollbackMessage when it could not roll back at all
        # ("The deployment cannot be rolled back", "Automatic rollback failed").
        return Verdict(Outcome.FAILED, reason + (f"; {message}" if message else ""))
    status = rollback.status if rollback is not None else ""
    if status == "Succeeded":
        return Verdict(
            Outcome.ROLLED_BACK,
            f"{reason}; rolled back by deployment {rollback_id}" + _detail(message),
            ecs_rollback=True,
        )
    if status in ("Failed", "Stopped") and rollback is not None:
        cause = rollback.error or status
        return Verdict(
            Outcome.FAILED,
            f"{reason}; rollback failed: deployment {rollback_id}: {cause}",
            ecs_rollback=True,
        )
    return None  # the rollback deployment goes on


def landed(events: LifecycleEvents) -> bool:
    return ("AfterAllowTraffic", "Succeeded") in events


def traffic_moved(events: LifecycleEvents) -> bool:
    return ("AllowTraffic", "Succeeded") in events


def traffic_state(events: LifecycleEvents, status: str, rollback_status: str = "") -> str:
    """Where traffic goes, in words, from the lifecycle events that succeeded. Pure."""
    done = {name for name, state in events if state == "Succeeded"}
    if status in ("Failed", "Stopped"):
        if "AllowTraffic" in done and rollback_status != "Succeeded":
            return "production: replacement task set (not rolled back)"
        return "production: original task set"
    if "AllowTraffic" in done:
        return "production: replacement task set"
    if "AllowTestTraffic" in done:
        return "test: replacement task set; production: original task set"
    return "production: original task set"


def console_link(region: str, deployment_id: str) -> str:
    return (
        f"https://{region}.console.aws.amazon.com/codesuite/codedeploy/deployments/"
        f"{deployment_id}?region={region}"
    )


@dataclass
class CodeDeployTracker:
    """Follows one CodeDeploy deployment from snapshots (no AWS calls)."""

    name: str  # the service, for messages
    deployment_id: str
    started_at: float
    deadline: float
    wait_until: str | None = None
    # False after `continue` of the termination wait: then only Succeeded is the verdict.
    termination_wait_lands: bool = True
    # rollback: on-failure: on our timeout, ask to stop it with automatic rollback (if safe).
    stop_on_timeout: bool = False
    status: str = ""
    events: LifecycleEvents = ()
    events_current: bool = False  # read at the latest poll: what traffic did now is known
    events_denied: bool = False  # IAM lacks the target permissions (for this deployment)
    rollback_id: str | None = None
    rollback_status: str = ""
    stopped_because: str | None = None  # set once we stopped it on our timeout
    stop_failed: str | None = None

    @classmethod
    def of(
        cls, deployment: StartedDeployment, run_deadline: float | None, stop_on_timeout: bool
    ) -> CodeDeployTracker:
        spec = deployment.plan.codedeploy
        # The group's Ready and termination waits are part of a deployment that goes well.
        extra = spec.group_wait_seconds if spec is not None else 0.0
        return cls(
            name=deployment.plan.name,
            deployment_id=str(deployment.deployment_id),
            started_at=deployment.started_at,
            deadline=deployment.deadline(run_deadline) + extra,
            wait_until=deployment.plan.wait_until,
            stop_on_timeout=stop_on_timeout,
        )

    def reads(self) -> Iterable[Read]:
        yield CodeDeployRead(self.deployment_id)
        if not self.events_denied:
            yield LifecycleRead(self.deployment_id)

    def followups(self, snapshot: Snapshot) -> Iterable[Read]:
        info = codedeploy_of(snapshot, CodeDeployRead(self.deployment_id))
        if info is not None and info.finished and info.rollback_deployment_id:
            yield CodeDeployRead(info.rollback_deployment_id)  # only its status says rolled back

    def observe(self, snapshot: Snapshot, now: float) -> Step:
        self.events_current = False  # until this poll's lifecycle events are taken
        read = CodeDeployRead(self.deployment_id)
        permanent = unreadable(snapshot, read)
        if permanent is not None:
            raise AwsError(f"{self.name}: cannot read CodeDeploy deployment: {permanent}")
        info = codedeploy_of(snapshot, read)
        if info is None:
            return Step()  # a transient error: only the deadline can decide
        notes: list[tuple[Note, str]] = []
        self._take_events(snapshot, notes)
        rollback = self._take_rollback(info, snapshot, notes)
        if info.status != self.status:
            self.status = info.status
            notes.append(
                (
                    Note.PROGRESS,
                    f"CodeDeploy {self.deployment_id}: {info.status}; "
                    f"{traffic_state(self.events, info.status)}",
                )
            )
        verdict = judge_codedeploy(
            info,
            self.wait_until,
            rollback=rollback,
            events=self.events,
            termination_wait_lands=self.termination_wait_lands,
        )
        if verdict is not None and self.stopped_because:
            verdict = Verdict(
                verdict.outcome, f"{self.stopped_because}: {verdict.reason}", verdict.ecs_rollback
            )
        return Step(verdict, tuple(notes))

    def _take_events(self, snapshot: Snapshot, notes: list[tuple[Note, str]]) -> None:
        if self.events_denied:
            return
        read = LifecycleRead(self.deployment_id)
        events = events_of(snapshot, read)
        problem = snapshot.problem(read)
        self.events_current = events is not None
        if events is None:
            if problem is not None and problem[0] is Problem.DENIED:
                self.events_denied = True
                notes.append(
                    (
                        Note.WARNING,
                        f"lifecycle events unavailable ({problem[1]}); the verdict comes from "
                        "GetDeployment alone (allow codedeploy:ListDeploymentTargets and "
                        "codedeploy:BatchGetDeploymentTargets to see them)",
                    )
                )
            return
        seen = dict(self.events)
        for name, state in events:
            if seen.get(name) != state and state != "Pending":
                notes.append((Note.EVENT, f"lifecycle event {name}: {state}"))
        self.events = events

    def _take_rollback(
        self, info: CodeDeployDeployment, snapshot: Snapshot, notes: list[tuple[Note, str]]
    ) -> CodeDeployDeployment | None:
        if not info.finished or not info.rollback_deployment_id:
            return None
        self.rollback_id = info.rollback_deployment_id
        rollback = codedeploy_of(snapshot, CodeDeployRead(self.rollback_id))
        if rollback is not None and rollback.status != self.rollback_status:
            self.rollback_status = rollback.status
            notes.append(
                (Note.PROGRESS, f"CodeDeploy rollback {self.rollback_id}: {rollback.status}")
            )
        return rollback

    def expire(self, now: float) -> Verdict | None:
        """Our deadline passed: the verdict, or None to ask for a stop with rollback (then
        the rollback deployment it starts is waited for)."""
        waited = format_duration(self.deadline - self.started_at)
        reason = f"no verdict after {waited} (CodeDeploy status {self.status or 'unknown'})"
        if self.stopped_because:
            return Verdict(
                Outcome.TIMED_OUT,
                f"{self.stopped_because}; the rollback has no verdict after {waited}",
                ecs_rollback=True,
            )
        if self.stop_failed:
            return Verdict(Outcome.TIMED_OUT, f"{reason}; stopping it failed: {self.stop_failed}")
        if not self.stop_on_timeout:
            return Verdict(Outcome.TIMED_OUT, reason + f"; deployment {self.deployment_id} goes on")
        if not self.events_current:
            # No action on a guess (events denied, or not read at the latest poll): production
            # may already run the replacement task set.
            return Verdict(
                Outcome.TIMED_OUT,
                f"{reason}; its lifecycle events could not be read, so whether production "
                f"traffic moved is unknown and deployment {self.deployment_id} was not stopped",
            )
        if traffic_moved(self.events):
            # Production already runs the replacement task set: stopping now would move it
            # back over a deployment that is only finishing (hooks, termination wait).
            return Verdict(
                Outcome.TIMED_OUT,
                f"{reason}; production traffic already reaches the replacement task set, so "
                f"deployment {self.deployment_id} was not stopped",
            )
        return None

    def stopped(self, now: float) -> None:
        waited = format_duration(self.deadline - self.started_at)
        self.stopped_because = (
            f"no verdict after {waited} (CodeDeploy status {self.status or 'unknown'}); "
            "stopped with automatic rollback"
        )
        # The rollback is a deployment of its own: give it as long again.
        self.deadline = now + (self.deadline - self.started_at)

    def result(self, region: str) -> BlueGreenResult:
        return BlueGreenResult(
            strategy="codedeploy",
            deployment_id=self.deployment_id,
            status=self.status or None,
            traffic=traffic_state(self.events, self.status, self.rollback_status),
            lifecycle=tuple(self.events),
            link=console_link(region, self.deployment_id),
        )


def watch_codedeploy(
    tracker: CodeDeployTracker, codedeploy: CodeDeployApi, clock: Clock
) -> Watched:
    def abort() -> str:
        try:
            codedeploy.stop_deployment(tracker.deployment_id, auto_rollback=True)
        except AwsError as exc:
            tracker.stop_failed = str(exc)
            return f"stopping deployment {tracker.deployment_id} failed: {exc}"
        tracker.stopped(clock.now())
        return (
            f"no verdict in time: stopped deployment {tracker.deployment_id} with automatic "
            "rollback (rollback: on-failure)"
        )

    return Watched(
        tracker,
        describe=lambda _verdict: tracker.result(codedeploy.region),
        abort=abort if tracker.stop_on_timeout else None,
    )


def _detail(text: str) -> str:
    return f": {text}" if text else ""
