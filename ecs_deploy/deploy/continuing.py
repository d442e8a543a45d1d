"""`ecs-deploy continue`: finish a blue/green deployment an earlier run left paused.

An ECS service deployment ARN: answer its PAUSE hook (ContinueServiceDeployment CONTINUE or
ROLLBACK). A CodeDeploy deployment id: ContinueDeployment past Ready, or StopDeployment with
automatic rollback. Then, unless told not to, wait for the verdict.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ecs_deploy.aws.codedeploy import CodeDeployApi
from ecs_deploy.aws.ecs import EcsApi
from ecs_deploy.aws.state import CodeDeployDeployment, ServiceDeploymentRecord
from ecs_deploy.config.bluegreen import ContinueAction
from ecs_deploy.config.continuing import ContinueSettings
from ecs_deploy.config.durations import format_duration
from ecs_deploy.deploy.strategies import ecs_blue_green
from ecs_deploy.deploy.strategies.codedeploy import (
    CodeDeployTracker,
    console_link,
    traffic_moved,
    watch_codedeploy,
)
from ecs_deploy.deploy.verdict import Verdict
from ecs_deploy.deploy.watch import (
    Note,
    Read,
    RecordRead,
    Snapshot,
    Step,
    Watched,
    WatchLoop,
    unreadable,
)
from ecs_deploy.errors import AwsError, DeployError, InputError, PreflightError
from ecs_deploy.report.console import Reporter
from ecs_deploy.results import BlueGreenResult, Outcome, RunResult, ServiceResult

SERVICE_DEPLOYMENT = ":service-deployment/"
# Service deployment statuses, as ECS documents them, and what they mean for the verdict.
_FINAL = {
    "SUCCESSFUL": Outcome.SUCCEEDED,
    "ROLLBACK_SUCCESSFUL": Outcome.ROLLED_BACK,
    "ROLLBACK_FAILED": Outcome.FAILED,
    "STOPPED": Outcome.FAILED,
}


@dataclass(frozen=True, slots=True)
class ServiceDeploymentRef:
    arn: str
    cluster: str
    service: str

    @classmethod
    def parse(cls, arn: str) -> ServiceDeploymentRef | None:
        """arn:aws:ecs:REGION:ACCOUNT:service-deployment/CLUSTER/SERVICE/ID, else None."""
        if not arn.startswith("arn:") or SERVICE_DEPLOYMENT not in arn:
            return None
        parts = arn.split(SERVICE_DEPLOYMENT, 1)[1].split("/")
        if len(parts) != 3 or not all(parts):
            raise InputError(f"continue-deployment: {arn!r} is not a service deployment ARN")
        return cls(arn, parts[0], parts[1])


def run_continue(
    settings: ContinueSettings,
    ecs: EcsApi,
    codedeploy: CodeDeployApi | None,
    reporter: Reporter,
    loop: WatchLoop,
) -> RunResult:
    target = settings.target
    ref = ServiceDeploymentRef.parse(target.deployment)
    if ref is not None:
        return _continue_ecs(settings, ref, ecs, reporter, loop)
    if codedeploy is None:
        raise DeployError(f"{target.deployment}: CodeDeploy is needed but no client was given")
    return _continue_codedeploy(settings, codedeploy, reporter, loop)


def judge_service_deployment(record: ServiceDeploymentRecord, answered_hook: str) -> Verdict | None:
    """After a hook was answered: final, paused again at another hook, or None (going on)."""
    status, reason = record.status, record.status_reason
    if status in _FINAL:
        return Verdict(
            _FINAL[status], f"service deployment {status}" + (f": {reason}" if reason else "")
        )
    hook = record.awaiting_hook
    if hook is not None and hook != answered_hook and record.going_forward:
        stage = record.lifecycle_stage or "a later stage"
        return Verdict(Outcome.READY, f"paused again at {stage} (PAUSE hook {hook})")
    return None


@dataclass
class ServiceDeploymentTracker:
    """Follows a service deployment after `continue` answered its hook (no AWS calls)."""

    name: str
    arn: str
    answered_hook: str
    started_at: float
    deadline: float
    last_line: str = ""
    record: ServiceDeploymentRecord | None = None

    def reads(self) -> Iterable[Read]:
        yield RecordRead(self.arn)

    def followups(self, snapshot: Snapshot) -> Iterable[Read]:
        return ()

    def observe(self, snapshot: Snapshot, now: float) -> Step:
        read = RecordRead(self.arn)
        permanent = unreadable(snapshot, read)
        if permanent is not None:
            raise AwsError(f"{self.name}: cannot read the service deployment: {permanent}")
        record = snapshot.get(read)
        if not isinstance(record, ServiceDeploymentRecord):
            return Step()
        self.record = record
        notes: tuple[tuple[Note, str], ...] = ()
        line = f"{record.status or 'unknown'}, stage {record.lifecycle_stage or '-'}"
        if line != self.last_line:
            self.last_line = line
            notes = ((Note.PROGRESS, line),)
        return Step(judge_service_deployment(record, self.answered_hook), notes)

    def expire(self, now: float) -> Verdict | None:
        waited = format_duration(self.deadline - self.started_at)
        return Verdict(Outcome.TIMED_OUT, f"no verdict after {waited}: {self.last_line}")


def _continue_ecs(
    settings: ContinueSettings,
    ref: ServiceDeploymentRef,
    ecs: EcsApi,
    reporter: Reporter,
    loop: WatchLoop,
) -> RunResult:
    record = ecs.describe_service_deployment(ref.arn)
    if record is None:
        raise PreflightError(f"service deployment {ref.arn} not found")
    hook = settings.target.hook_id or record.awaiting_hook
    if hook is None:
        raise PreflightError(
            f"service deployment {ref.arn} is not paused at a lifecycle hook "
            f"(status {record.status}, stage {record.lifecycle_stage or 'unknown'}); "
            "nothing was sent"
        )
    action = settings.target.action.value
    ecs.continue_service_deployment(ref.arn, hook, action)
    reporter.info(f"{ref.service}: sent {action} to hook {hook} of {ref.arn}")
    clock = loop.clock
    started = clock.now()
    verdict = Verdict(Outcome.STARTED, f"{action} sent; not waited for")
    seconds = 0.0
    if settings.wait:
        tracker = ServiceDeploymentTracker(
            ref.service, ref.arn, hook, started, started + settings.timeout_seconds
        )
        watched = loop.run([Watched(tracker)])[ref.service]
        verdict, seconds = watched.verdict, watched.seconds
        record = tracker.record or record
    else:
        reporter.verdict(ref.service, verdict.outcome, verdict.reason, seconds)
    stage = record.lifecycle_stage
    blue_green = BlueGreenResult(
        strategy="ecs_blue_green",
        deployment_arn=ref.arn,
        status=record.status or None,
        stage=stage,
        traffic=ecs_blue_green.traffic(stage, verdict.outcome),
        hook_id=record.awaiting_hook if verdict.outcome is Outcome.READY else None,
    )
    asked = settings.target.action is ContinueAction.ROLLBACK
    return _run_result(ref.cluster, ref.service, verdict, seconds, blue_green, asked)


def _continue_codedeploy(
    settings: ContinueSettings, codedeploy: CodeDeployApi, reporter: Reporter, loop: WatchLoop
) -> RunResult:
    clock = loop.clock
    deployment_id = settings.target.deployment
    info = codedeploy.get_deployment(deployment_id)
    status = info.status
    terminating = status == "InProgress" and traffic_moved(_events(codedeploy, deployment_id))
    if status != "Ready" and not terminating:
        raise PreflightError(
            f"CodeDeploy deployment {deployment_id} is {status or 'unknown'}, neither Ready nor "
            "past AllowTraffic (the termination wait); nothing was sent"
        )
    cluster, service = _ecs_service_of(codedeploy, info)
    action = settings.target.action
    if action is ContinueAction.ROLLBACK:
        codedeploy.stop_deployment(deployment_id, auto_rollback=True)
        reporter.info(f"{service}: stopped {deployment_id} with automatic rollback")
    elif terminating:
        codedeploy.continue_deployment(deployment_id, "TERMINATION_WAIT")
        reporter.info(f"{service}: continued {deployment_id}: the original task set terminates")
    else:
        codedeploy.continue_deployment(deployment_id)
        reporter.info(f"{service}: continued {deployment_id}: production traffic reroutes")
    now = clock.now()
    asked = action is ContinueAction.ROLLBACK
    if not settings.wait:
        verdict = Verdict(Outcome.STARTED, f"{action.value} sent; not waited for")
        blue_green = BlueGreenResult(
            strategy="codedeploy",
            deployment_id=deployment_id,
            link=console_link(codedeploy.region, deployment_id),
        )
        return _run_result(cluster, service, verdict, 0.0, blue_green, asked)
    tracker = CodeDeployTracker(
        service,
        deployment_id,
        now,
        now + settings.timeout_seconds,
        # Continued past Ready it lands at the termination wait; ended that wait, at Succeeded.
        termination_wait_lands=not terminating,
    )
    watched = loop.run([watch_codedeploy(tracker, codedeploy, clock)])[service]
    return _run_result(
        cluster, service, watched.verdict, watched.seconds, watched.blue_green, asked
    )


def _events(codedeploy: CodeDeployApi, deployment_id: str) -> tuple[tuple[str, str], ...]:
    """Lifecycle events by name and status; none when IAM denies them."""
    try:
        return codedeploy.lifecycle_events(deployment_id)
    except AwsError:
        return ()


def _ecs_service_of(codedeploy: CodeDeployApi, info: CodeDeployDeployment) -> tuple[str, str]:
    """The cluster and service the deployment group deploys (for messages and the summary)."""
    application, group_name = info.application, info.group
    group = codedeploy.check_deployment_group(application, group_name)
    first = (group.get("ecsServices") or [{}])[0]
    return str(first.get("clusterName") or application), str(first.get("serviceName") or group_name)


def _run_result(
    cluster: str,
    service: str,
    verdict: Verdict,
    seconds: float,
    blue_green: BlueGreenResult | None,
    rollback_requested: bool = False,
) -> RunResult:
    result = ServiceResult(
        name=service,
        cluster=cluster,
        outcome=verdict.outcome,
        previous_task_definition_arn=None,
        task_definition_arn=None,
        seconds=seconds,
        deployment_id=blue_green.deployment_id if blue_green else None,
        reason=verdict.reason,
        blue_green=blue_green,
    )
    return RunResult(cluster=cluster, services=(result,), rollback_requested=rollback_requested)
