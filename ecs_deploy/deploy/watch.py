"""Watch the deployments this run started until each has a verdict or its deadline passes.

One DescribeServices call per 10 services per poll, at a steady interval. Stopped tasks are
listed and described only when our deployment's failedTasks grows (to fail fast and explain).
The verdict rules are in verdict.judge (ECS's own verdict) and failfast.fail_fast (certain
before ECS says so).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ecs_deploy.aws.ecs import EcsApi
from ecs_deploy.aws.logs import LogsApi
from ecs_deploy.config.durations import format_duration
from ecs_deploy.config.settings import FailFastPolicy
from ecs_deploy.deploy import ecs_bluegreen, forensics
from ecs_deploy.deploy.clock import MAX_CONSECUTIVE_POLL_ERRORS, Clock
from ecs_deploy.deploy.failfast import (
    UNABLE_TO_PLACE,
    Observation,
    breaker_rolls_back,
    fail_fast,
)
from ecs_deploy.deploy.rolling import StartedDeployment
from ecs_deploy.deploy.verdict import Verdict, find_deployment, judge, refine
from ecs_deploy.errors import AwsError, CredentialsExpired, TransientAwsError
from ecs_deploy.report.console import Reporter
from ecs_deploy.results import BlueGreenResult, Forensics, Outcome

ROLLBACK_GRACE_POLLS = 2  # polls to wait for the breaker's rollback to show after FAILED


@dataclass(frozen=True, slots=True)
class WatchedVerdict:
    verdict: Verdict
    seconds: float
    forensics: Forensics | None = None
    blue_green: BlueGreenResult | None = None


@dataclass
class _ServiceWatch:
    """What one service's watch remembers between polls."""

    deployment: StartedDeployment
    deadline: float
    stopped_tasks: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    failed_seen: int = 0
    events: list[str] = field(default_factory=list)
    event_ids: set[str] = field(default_factory=set)
    unplaced_since: float | None = None
    unplaced_message: str | None = None
    last_progress: str = ""
    polls_since_failed: int = 0
    # ECS blue/green: our service deployment as last read, and each lifecycleStage it showed
    stages: list[str] = field(default_factory=list)
    record: Mapping[str, Any] | None = None

    @property
    def name(self) -> str:
        return self.deployment.plan.name


class Watcher:
    def __init__(
        self,
        ecs: EcsApi,
        logs: LogsApi | None,
        clock: Clock,
        reporter: Reporter,
        *,
        poll_interval: float,
        fail_fast_policy: FailFastPolicy,
    ) -> None:
        self._ecs = ecs
        self._logs = logs
        self._clock = clock
        self._reporter = reporter
        self._poll_interval = poll_interval
        self._policy = fail_fast_policy

    def watch(
        self, cluster: str, started: Sequence[StartedDeployment], run_deadline: float | None = None
    ) -> dict[str, WatchedVerdict]:
        pending = {d.plan.name: _ServiceWatch(d, _deadline(d, run_deadline)) for d in started}
        verdicts: dict[str, WatchedVerdict] = {}
        errors_in_a_row = 0
        with self._reporter.live_progress([d.plan.name for d in started]):
            while pending:
                services = self._describe(cluster, list(pending), errors_in_a_row)
                errors_in_a_row = 0 if services is not None else errors_in_a_row + 1
                now = self._clock.now()
                for name, watch in list(pending.items()):
                    service = None if services is None else services.get(name, {})
                    verdict = self._assess(cluster, watch, service, now)
                    if verdict is None:
                        continue
                    seconds = now - watch.deployment.started_at
                    evidence = None if verdict.outcome.ok else self._forensics(cluster, watch)
                    blue_green = self._blue_green(cluster, watch, verdict)
                    verdicts[name] = WatchedVerdict(verdict, seconds, evidence, blue_green)
                    self._reporter.verdict(name, verdict.outcome, verdict.reason, seconds, evidence)
                    del pending[name]
                if pending:
                    nearest = min(watch.deadline for watch in pending.values())
                    self._clock.sleep(max(0.0, min(self._poll_interval, nearest - now)))
        return verdicts

    def _describe(
        self, cluster: str, names: list[str], errors_in_a_row: int
    ) -> dict[str, dict[str, Any]] | None:
        """This poll's services, or None when a transient error makes us skip it."""
        try:
            return self._ecs.describe_services(cluster, names)[0]
        except CredentialsExpired:
            if not self._ecs.renew_credentials():
                raise
            self._reporter.warning("AWS credentials expired; renewed them from the default chain")
            return self._ecs.describe_services(cluster, names)[0]
        except TransientAwsError as exc:
            if errors_in_a_row + 1 >= MAX_CONSECUTIVE_POLL_ERRORS:
                raise AwsError(
                    f"lost contact with ECS while waiting ({exc}); the deployments go on in ECS: "
                    "check them in the console"
                ) from exc
            self._reporter.warning(f"{exc}; trying again at the next poll")
            return None

    def _assess(
        self, cluster: str, watch: _ServiceWatch, service: Mapping[str, Any] | None, now: float
    ) -> Verdict | None:
        if service is None:  # this poll was skipped: only a deadline can decide
            return self._timeout(watch, {}, now)
        if not service:
            return Verdict(Outcome.FAILED, "the service no longer exists")
        deployment = watch.deployment
        ours = find_deployment(service, deployment.deployment_id) or {}
        if deployment.plan.ecs_blue_green is not None:
            self._follow_stage(cluster, watch)
        self._follow_events(watch, service, ours, now)
        self._show_progress(watch, ours)
        verdict = judge(
            service,
            deployment.deployment_id,
            deployment.task_definition_arn,
            started=deployment.started_wall,
        )
        if verdict is not None and self._rollback_expected(watch, service, verdict):
            return None  # ECS rolls back next: wait for it rather than misreport "failed"
        if verdict is not None:
            return self._refined(cluster, watch, verdict)
        paused = self._paused(watch) if deployment.plan.ecs_blue_green is not None else None
        if paused is not None:
            return paused
        if int(ours.get("failedTasks") or 0) > watch.failed_seen:
            watch.failed_seen = int(ours.get("failedTasks") or 0)
            try:
                self._refresh_stopped_tasks(cluster, watch)
            except AwsError as exc:  # explaining is worth a retry, never the run
                watch.failed_seen -= 1
                self._reporter.warning(f"{watch.name}: stopped tasks unavailable: {exc}")
        essential = forensics.essential_containers(deployment.plan.task_definition.register_params)
        startup = forensics.group_stopped_tasks(
            (t for t in watch.stopped_tasks.values() if forensics.is_startup_failure(t)), essential
        )
        unplaced_for = None if watch.unplaced_since is None else now - watch.unplaced_since
        observation = Observation(ours, startup, unplaced_for, watch.unplaced_message)
        return fail_fast(service, observation, self._policy) or self._timeout(watch, ours, now)

    def _rollback_expected(
        self, watch: _ServiceWatch, service: Mapping[str, Any], verdict: Verdict
    ) -> bool:
        """Our deployment FAILED, the breaker rolls back, but the rollback is not visible yet.

        ECS starts it a moment after marking FAILED; a couple of polls tell the two apart
        (with no COMPLETED deployment to return to, ECS never starts one: then it is failed).
        """
        if verdict.outcome is not Outcome.FAILED or not breaker_rolls_back(service):
            return False
        watch.polls_since_failed += 1
        return watch.polls_since_failed <= ROLLBACK_GRACE_POLLS

    def _refined(self, cluster: str, watch: _ServiceWatch, verdict: Verdict) -> Verdict:
        """ECS's own account of a failure, at the cost of two calls only when one happens."""
        if verdict.outcome is Outcome.SUCCEEDED:
            return verdict
        return refine(verdict, self._service_deployment(cluster, watch))

    def _service_deployment(self, cluster: str, watch: _ServiceWatch) -> Mapping[str, Any] | None:
        """Our service deployment (ECS's record of it), where the API exists.

        See ecs_bluegreen.ours for which one that is.
        """
        try:
            records = self._ecs.service_deployments_since(
                cluster, watch.name, watch.deployment.started_wall
            )
        except AwsError as exc:
            self._reporter.warning(f"{watch.name}: service deployment details unavailable: {exc}")
            return None
        deployment = watch.deployment
        return ecs_bluegreen.ours(records, deployment.started_wall, deployment.deployment_id)

    def _follow_stage(self, cluster: str, watch: _ServiceWatch) -> None:
        """Read our service deployment (the only documented source of the stage and hooks)."""
        record = self._service_deployment(cluster, watch)
        if record is None:
            return
        watch.record = record
        stage = str(record.get("lifecycleStage") or "") or None
        if stage is not None and (not watch.stages or watch.stages[-1] != stage):
            watch.stages.append(stage)
            self._reporter.info(f"{watch.name}: lifecycle stage {stage}")

    def _paused(self, watch: _ServiceWatch) -> Verdict | None:
        """Where to stop waiting: wait-until reached, or a PAUSE hook that waits for someone.

        A hook AWAITING_ACTION with no wait-until is reported (outcome ready, with the
        deployment ARN and hook id for `continue`) rather than waited on into our timeout:
        nothing happens until someone answers it.
        """
        plan = watch.deployment.plan
        hook = ecs_bluegreen.awaiting_hook(watch.record)
        current = watch.stages[-1] if watch.stages else None
        if hook is not None:
            return Verdict(
                Outcome.READY,
                f"paused at lifecycle stage {current or 'unknown'} (PAUSE hook {hook}); finish "
                "with `ecs-deploy continue` (CONTINUE or ROLLBACK)",
            )
        stage = plan.wait_until
        if stage is None or not ecs_bluegreen.reached(watch.stages, current, stage):
            return None
        pause_stages = plan.ecs_blue_green.pause_stages if plan.ecs_blue_green else ()
        if current == stage and stage in pause_stages:
            return None  # ECS has not registered the hook yet: the next poll will see it
        return Verdict(
            Outcome.READY, f"reached lifecycle stage {stage}; the deployment goes on in ECS"
        )

    def _blue_green(
        self, cluster: str, watch: _ServiceWatch, verdict: Verdict
    ) -> BlueGreenResult | None:
        """ECS-native blue/green specifics for the summary and outputs (one more call)."""
        if watch.deployment.plan.ecs_blue_green is None:
            return None
        return ecs_bluegreen.result(
            deployment_id=watch.deployment.deployment_id,
            stages=watch.stages,
            outcome=verdict.outcome,
            record=self._service_deployment(cluster, watch) or watch.record,
            link=forensics.console_links(self._ecs.region, cluster, watch.name, ())[0][1],
        )

    def _timeout(self, watch: _ServiceWatch, ours: Mapping[str, Any], now: float) -> Verdict | None:
        if now < watch.deadline:
            return None
        waited = format_duration(watch.deadline - watch.deployment.started_at)
        state = _counts(ours) + f", rollout {ours.get('rolloutState', 'unknown')}" if ours else ""
        return Verdict(
            Outcome.TIMED_OUT, f"no verdict after {waited}" + (f": {state}" if state else "")
        )

    def _follow_events(
        self, watch: _ServiceWatch, service: Mapping[str, Any], ours: Mapping[str, Any], now: float
    ) -> None:
        """Print new service events; remember when placement started failing."""
        since = watch.deployment.started_wall
        for event in reversed(service.get("events") or []):  # ECS lists newest first
            event_id = str(event.get("id"))
            created = event.get("createdAt")
            if event_id in watch.event_ids or (isinstance(created, datetime) and created < since):
                continue
            watch.event_ids.add(event_id)
            message = str(event.get("message", ""))
            watch.events.append(message)
            self._reporter.service_event(watch.name, message)
            if UNABLE_TO_PLACE in message and watch.unplaced_since is None:
                watch.unplaced_since = now
                watch.unplaced_message = message
        if int(ours.get("runningCount") or 0) > 0:
            watch.unplaced_since = None  # tasks are being placed: that is progress

    def _show_progress(self, watch: _ServiceWatch, ours: Mapping[str, Any]) -> None:
        line = f"{_counts(ours)}, rollout {ours.get('rolloutState', 'unknown')}"
        blue_green = watch.deployment.plan.ecs_blue_green
        if blue_green is not None:
            stage = watch.stages[-1] if watch.stages else None
            line += ecs_bluegreen.progress_note(stage, blue_green.bake_minutes)
        if line != watch.last_progress:
            watch.last_progress = line
            self._reporter.progress(watch.name, line)

    def _refresh_stopped_tasks(self, cluster: str, watch: _ServiceWatch) -> None:
        """Describe the stopped tasks of our deployment not described yet (in chunks of 100)."""
        deployment_id = watch.deployment.deployment_id
        if not deployment_id:
            return
        arns = self._ecs.list_task_arns(cluster, started_by=deployment_id, desired_status="STOPPED")
        new = [arn for arn in arns if arn not in watch.stopped_tasks]
        for task in self._ecs.describe_tasks(cluster, new):
            if task.get("lastStatus") == "STOPPED":
                watch.stopped_tasks[str(task["taskArn"])] = task

    def _forensics(self, cluster: str, watch: _ServiceWatch) -> Forensics:
        try:
            self._refresh_stopped_tasks(cluster, watch)
        except AwsError as exc:  # forensics must never hide the verdict itself
            return Forensics(
                events=tuple(watch.events), notes=(f"stopped tasks unavailable: {exc}",)
            )
        return forensics.collect(
            ecs=self._ecs,
            logs=self._logs,
            cluster=cluster,
            service=watch.name,
            stopped_tasks=list(watch.stopped_tasks.values()),
            task_definition=watch.deployment.plan.task_definition.register_params,
            events=watch.events,
        )


def _deadline(deployment: StartedDeployment, run_deadline: float | None) -> float:
    own = deployment.started_at + deployment.plan.timeout_seconds
    return own if run_deadline is None else min(own, run_deadline)


def _counts(deployment: Mapping[str, Any]) -> str:
    return (
        f"{deployment.get('runningCount', 0)}/{deployment.get('desiredCount', 0)} running, "
        f"{deployment.get('pendingCount', 0)} pending, {deployment.get('failedTasks', 0)} failed"
    )
