"""CodeDeploy blue/green: create the deployment, then wait on it showing lifecycle events.

The verdict is CodeDeploy's own status of the deployment this run created (never "the service
is stable"): Succeeded, or InProgress past AfterAllowTraffic (the termination wait: production
already runs the replacement task set); Failed with errorInformation; Failed or Stopped is
rolled back only once the rollback deployment CodeDeploy started has Succeeded; Ready when the
run was asked to return once test traffic reaches the replacement task set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ecs_deploy.aws.codedeploy import CodeDeployApi
from ecs_deploy.config.bluegreen import WAIT_UNTIL_READY
from ecs_deploy.config.durations import format_duration
from ecs_deploy.deploy.clock import MAX_CONSECUTIVE_POLL_ERRORS, Clock
from ecs_deploy.deploy.registrar import Registrar
from ecs_deploy.deploy.rolling import StartedDeployment
from ecs_deploy.deploy.verdict import Verdict
from ecs_deploy.deploy.watch import WatchedVerdict
from ecs_deploy.errors import AwsError, CredentialsExpired, DeployError, TransientAwsError
from ecs_deploy.plan.appspec import render_appspec
from ecs_deploy.plan.deployment import ServicePlan
from ecs_deploy.report.console import Reporter
from ecs_deploy.results import BlueGreenResult, Outcome

FINAL_STATUSES = frozenset({"Succeeded", "Failed", "Stopped"})


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
    info: Mapping[str, Any],
    wait_until: str | None,
    *,
    rollback: Mapping[str, Any] | None = None,
    events: Sequence[tuple[str, str]] = (),
    termination_wait_lands: bool = True,
) -> Verdict | None:
    """The verdict on a CodeDeploy deployment, or None while it (or its rollback) goes on. Pure.

    `rollback` is GetDeployment of rollbackInfo.rollbackDeploymentId, where there is one: a
    rollback is a deployment of its own, and only its Succeeded means "rolled back".
    """
    status = str(info.get("status") or "")
    error = info.get("errorInformation") or {}
    cause = f"{error.get('code')}: {error.get('message')}" if error.get("code") else ""
    if status == "Succeeded":
        return Verdict(Outcome.SUCCEEDED, "CodeDeploy deployment succeeded")
    if status in ("Failed", "Stopped"):
        what = "failed" if status == "Failed" else "was stopped"
        return _after_rollback(
            f"CodeDeploy deployment {what}" + _detail(cause), info.get("rollbackInfo"), rollback
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
    reason: str, rollback_info: Mapping[str, Any] | None, rollback: Mapping[str, Any] | None
) -> Verdict | None:
    info = rollback_info or {}
    rollback_id = info.get("rollbackDeploymentId")
    message = str(info.get("rollbackMessage") or "")
    if not rollback_id:
        # CodeDeploy also writes rollbackMessage when it could not roll back at all
        # ("The deployment cannot be rolled back", "Automatic rollback failed").
        return Verdict(Outcome.FAILED, reason + (f"; {message}" if message else ""))
    status = str((rollback or {}).get("status") or "")
    if status == "Succeeded":
        return Verdict(
            Outcome.ROLLED_BACK,
            f"{reason}; rolled back by deployment {rollback_id}" + _detail(message),
        )
    if status in ("Failed", "Stopped"):
        error = (rollback or {}).get("errorInformation") or {}
        cause = f"{error.get('code')}: {error.get('message')}" if error.get("code") else status
        return Verdict(
            Outcome.FAILED, f"{reason}; rollback failed: deployment {rollback_id}: {cause}"
        )
    return None  # the rollback deployment goes on


def landed(events: Sequence[tuple[str, str]]) -> bool:
    return ("AfterAllowTraffic", "Succeeded") in events


def traffic_moved(events: Sequence[tuple[str, str]]) -> bool:
    return ("AllowTraffic", "Succeeded") in events


def traffic_state(events: Sequence[tuple[str, str]], status: str, rollback_status: str = "") -> str:
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
class CodeDeployTarget:
    """A CodeDeploy deployment to wait for: one this run created, or one `continue` resumed."""

    name: str  # the service, for messages
    deployment_id: str
    started_at: float
    deadline: float
    wait_until: str | None = None
    # False after `continue` of the termination wait: then only Succeeded is the verdict.
    termination_wait_lands: bool = True
    status: str = ""
    events: list[tuple[str, str]] = field(default_factory=list)
    errors_in_a_row: int = 0
    rollback_status: str = ""
    stopped_because: str | None = None  # set once we stopped it on our timeout

    @classmethod
    def of(cls, deployment: StartedDeployment, run_deadline: float | None) -> CodeDeployTarget:
        own = deployment.started_at + deployment.plan.timeout_seconds
        spec = deployment.plan.codedeploy
        # The group's Ready and termination waits are part of a deployment that goes well.
        extra = spec.group_wait_seconds if spec is not None else 0.0
        return cls(
            name=deployment.plan.name,
            deployment_id=str(deployment.deployment_id),
            started_at=deployment.started_at,
            deadline=(own if run_deadline is None else min(own, run_deadline)) + extra,
            wait_until=deployment.plan.wait_until,
        )


class CodeDeployWatcher:
    def __init__(
        self,
        codedeploy: CodeDeployApi,
        clock: Clock,
        reporter: Reporter,
        *,
        poll_interval: float,
        stop_on_timeout: bool,
    ) -> None:
        self._codedeploy = codedeploy
        self._clock = clock
        self._reporter = reporter
        self._poll_interval = poll_interval
        # rollback: on-failure: on our timeout, stop the deployment with automatic rollback.
        self._stop_on_timeout = stop_on_timeout
        # ListDeploymentTargets/BatchGetDeploymentTargets are missing from many IAM policies
        # (the official action's documented one): then the verdict comes from GetDeployment.
        self._events_denied = False

    def watch(
        self, started: Sequence[StartedDeployment], run_deadline: float | None = None
    ) -> dict[str, WatchedVerdict]:
        return self.watch_targets([CodeDeployTarget.of(d, run_deadline) for d in started])

    def watch_targets(self, targets: Sequence[CodeDeployTarget]) -> dict[str, WatchedVerdict]:
        pending = list(targets)
        verdicts: dict[str, WatchedVerdict] = {}
        while pending:
            for watch in list(pending):
                verdict = self._poll(watch)
                now = self._clock.now()
                if verdict is None and now >= watch.deadline:
                    verdict = self._timed_out(watch)
                if verdict is None:
                    continue
                seconds = now - watch.started_at
                verdicts[watch.name] = WatchedVerdict(
                    verdict, seconds, blue_green=self._result(watch)
                )
                self._reporter.verdict(watch.name, verdict.outcome, verdict.reason, seconds)
                pending.remove(watch)
            if pending:
                nearest = min(w.deadline for w in pending)
                self._clock.sleep(max(0.0, min(self._poll_interval, nearest - self._clock.now())))
        return verdicts

    def _poll(self, watch: CodeDeployTarget) -> Verdict | None:
        try:
            info = self._codedeploy.get_deployment(watch.deployment_id)
            events = self._lifecycle_events(watch.deployment_id)
            rollback = self._rollback(info)
        except TransientAwsError as exc:
            watch.errors_in_a_row += 1
            if watch.errors_in_a_row >= MAX_CONSECUTIVE_POLL_ERRORS:
                raise AwsError(
                    f"lost contact with CodeDeploy while waiting ({exc}); deployment "
                    f"{watch.deployment_id} goes on: check it in the console"
                ) from exc
            self._reporter.warning(f"{exc}; trying again at the next poll")
            return None
        watch.errors_in_a_row = 0
        self._follow(watch, info, events, rollback)
        verdict = judge_codedeploy(
            info,
            watch.wait_until,
            rollback=rollback,
            events=watch.events,
            termination_wait_lands=watch.termination_wait_lands,
        )
        if verdict is not None and watch.stopped_because:
            return Verdict(verdict.outcome, f"{watch.stopped_because}: {verdict.reason}")
        return verdict

    def _lifecycle_events(self, deployment_id: str) -> list[dict[str, Any]] | None:
        """The target's lifecycle events; None when IAM denies them (warned once)."""
        if self._events_denied:
            return None
        try:
            return self._codedeploy.lifecycle_events(deployment_id)
        except (TransientAwsError, CredentialsExpired):
            raise
        except AwsError as exc:
            self._events_denied = True
            self._reporter.warning(
                f"lifecycle events unavailable ({exc}); the verdict comes from GetDeployment "
                "alone (allow codedeploy:ListDeploymentTargets and "
                "codedeploy:BatchGetDeploymentTargets to see them)"
            )
            return None

    def _rollback(self, info: Mapping[str, Any]) -> dict[str, Any] | None:
        """The rollback deployment CodeDeploy started for this one, if any."""
        rollback_id = (info.get("rollbackInfo") or {}).get("rollbackDeploymentId")
        if not rollback_id or info.get("status") not in ("Failed", "Stopped"):
            return None
        return self._codedeploy.get_deployment(str(rollback_id))

    def _follow(
        self,
        watch: CodeDeployTarget,
        info: Mapping[str, Any],
        events: Sequence[Mapping[str, Any]] | None,
        rollback: Mapping[str, Any] | None,
    ) -> None:
        """Print each lifecycle event's status as it changes, and the deployment's status."""
        if events is not None:
            seen = dict(watch.events)
            current = [(str(e.get("lifecycleEventName")), str(e.get("status"))) for e in events]
            for name, state in current:
                if seen.get(name) != state and state != "Pending":
                    self._reporter.service_event(watch.name, f"lifecycle event {name}: {state}")
            watch.events = current
        status = str(info.get("status") or "")
        if status != watch.status:
            watch.status = status
            self._reporter.progress(
                watch.name,
                f"CodeDeploy {watch.deployment_id}: {status}; "
                f"{traffic_state(watch.events, status)}",
            )
        rollback_status = str((rollback or {}).get("status") or "")
        if rollback is not None and rollback_status != watch.rollback_status:
            watch.rollback_status = rollback_status
            self._reporter.progress(
                watch.name,
                f"CodeDeploy rollback {rollback.get('deploymentId')}: {rollback_status}",
            )

    def _timed_out(self, watch: CodeDeployTarget) -> Verdict | None:
        """Our deadline passed: stop (and roll back) where that is safe; None: keep waiting
        for the rollback deployment that stopping it started."""
        waited = format_duration(watch.deadline - watch.started_at)
        reason = f"no verdict after {waited} (CodeDeploy status {watch.status or 'unknown'})"
        if watch.stopped_because:
            return Verdict(
                Outcome.TIMED_OUT,
                f"{watch.stopped_because}; the rollback has no verdict after {waited}",
            )
        if not self._stop_on_timeout:
            return Verdict(
                Outcome.TIMED_OUT, reason + f"; deployment {watch.deployment_id} goes on"
            )
        if traffic_moved(watch.events):
            # Production already runs the replacement task set: stopping now would move it
            # back over a deployment that is only finishing (hooks, termination wait).
            return Verdict(
                Outcome.TIMED_OUT,
                f"{reason}; production traffic already reaches the replacement task set, so "
                f"deployment {watch.deployment_id} was not stopped",
            )
        try:
            self._codedeploy.stop_deployment(watch.deployment_id, auto_rollback=True)
        except AwsError as exc:
            return Verdict(Outcome.TIMED_OUT, f"{reason}; stopping it failed: {exc}")
        self._reporter.warning(
            f"{watch.name}: {reason}; stopped it with automatic rollback (rollback: on-failure)"
        )
        watch.stopped_because = f"{reason}; stopped with automatic rollback"
        # The rollback is a deployment of its own: give it as long again.
        watch.deadline = self._clock.now() + (watch.deadline - watch.started_at)
        return None

    def _result(self, watch: CodeDeployTarget) -> BlueGreenResult:
        return BlueGreenResult(
            strategy="codedeploy",
            deployment_id=watch.deployment_id,
            status=watch.status or None,
            traffic=traffic_state(watch.events, watch.status, watch.rollback_status),
            lifecycle=tuple(watch.events),
            link=console_link(self._codedeploy.region, watch.deployment_id),
        )


def _detail(text: str) -> str:
    return f": {text}" if text else ""
