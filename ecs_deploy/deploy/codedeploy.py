"""CodeDeploy blue/green: create the deployment, then wait on it showing lifecycle events.

The verdict is CodeDeploy's own status of the deployment this run created (never "the service
is stable"): Succeeded; Failed with errorInformation; Stopped with rollbackInfo; Ready when the
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
from ecs_deploy.errors import AwsError, DeployError, TransientAwsError
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


def judge_codedeploy(info: Mapping[str, Any], wait_until: str | None) -> Verdict | None:
    """The verdict on a CodeDeploy deployment, or None while it goes on. Pure."""
    status = str(info.get("status") or "")
    error = info.get("errorInformation") or {}
    rollback = info.get("rollbackInfo") or {}
    rolled_back = bool(rollback.get("rollbackDeploymentId") or rollback.get("rollbackMessage"))
    explained = "; ".join(
        part
        for part in (
            f"{error.get('code')}: {error.get('message')}" if error.get("code") else "",
            str(rollback.get("rollbackMessage") or ""),
        )
        if part
    )
    if status == "Succeeded":
        return Verdict(Outcome.SUCCEEDED, "CodeDeploy deployment succeeded")
    if status == "Failed":
        outcome = Outcome.ROLLED_BACK if rolled_back else Outcome.FAILED
        return Verdict(outcome, "CodeDeploy deployment failed" + _detail(explained))
    if status == "Stopped":
        outcome = Outcome.ROLLED_BACK if rolled_back else Outcome.FAILED
        return Verdict(outcome, "CodeDeploy deployment was stopped" + _detail(explained))
    if status == "Ready" and wait_until == WAIT_UNTIL_READY:
        return Verdict(
            Outcome.READY,
            "ready: test traffic reaches the replacement task set; finish with "
            "`ecs-deploy continue` (CONTINUE reroutes production traffic, ROLLBACK stops it)",
        )
    return None


def traffic_state(events: Sequence[tuple[str, str]], status: str) -> str:
    """Where traffic goes, in words, from the lifecycle events that succeeded. Pure."""
    done = {name for name, state in events if state == "Succeeded"}
    if status in ("Failed", "Stopped"):
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
    status: str = ""
    events: list[tuple[str, str]] = field(default_factory=list)
    errors_in_a_row: int = 0

    @classmethod
    def of(cls, deployment: StartedDeployment, run_deadline: float | None) -> CodeDeployTarget:
        own = deployment.started_at + deployment.plan.timeout_seconds
        return cls(
            name=deployment.plan.name,
            deployment_id=str(deployment.deployment_id),
            started_at=deployment.started_at,
            deadline=own if run_deadline is None else min(own, run_deadline),
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
            events = self._codedeploy.lifecycle_events(watch.deployment_id)
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
        self._follow(watch, info, events)
        return judge_codedeploy(info, watch.wait_until)

    def _follow(
        self, watch: CodeDeployTarget, info: Mapping[str, Any], events: Sequence[Mapping[str, Any]]
    ) -> None:
        """Print each lifecycle event's status as it changes, and the deployment's status."""
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
                f"CodeDeploy {watch.deployment_id}: {status}; {traffic_state(current, status)}",
            )

    def _timed_out(self, watch: CodeDeployTarget) -> Verdict:
        waited = format_duration(watch.deadline - watch.started_at)
        reason = f"no verdict after {waited} (CodeDeploy status {watch.status or 'unknown'})"
        if not self._stop_on_timeout:
            return Verdict(
                Outcome.TIMED_OUT, reason + f"; deployment {watch.deployment_id} goes on"
            )
        try:
            self._codedeploy.stop_deployment(watch.deployment_id, auto_rollback=True)
        except AwsError as exc:
            return Verdict(Outcome.TIMED_OUT, f"{reason}; stopping it failed: {exc}")
        watch.status = "Stopped"
        return Verdict(
            Outcome.ROLLED_BACK,
            f"{reason}; stopped the deployment with automatic rollback (rollback: on-failure)",
        )

    def _result(self, watch: CodeDeployTarget) -> BlueGreenResult:
        return BlueGreenResult(
            strategy="codedeploy",
            deployment_id=watch.deployment_id,
            status=watch.status or None,
            traffic=traffic_state(watch.events, watch.status),
            lifecycle=tuple(watch.events),
            link=console_link(self._codedeploy.region, watch.deployment_id),
        )


def _detail(text: str) -> str:
    return f": {text}" if text else ""
