"""`ecs-deploy continue`: finish a blue/green deployment an earlier run left paused.

An ECS service deployment ARN: answer its PAUSE hook (ContinueServiceDeployment CONTINUE or
ROLLBACK). A CodeDeploy deployment id: ContinueDeployment past Ready, or StopDeployment with
automatic rollback. Then, unless told not to, wait for the verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ecs_deploy.aws.codedeploy import CodeDeployApi
from ecs_deploy.aws.ecs import EcsApi
from ecs_deploy.config.bluegreen import ContinueAction
from ecs_deploy.config.continuing import ContinueSettings
from ecs_deploy.config.durations import format_duration
from ecs_deploy.deploy import ecs_bluegreen
from ecs_deploy.deploy.clock import Clock
from ecs_deploy.deploy.codedeploy import (
    CodeDeployTarget,
    CodeDeployWatcher,
    console_link,
    traffic_moved,
)
from ecs_deploy.deploy.verdict import Verdict
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
    clock: Clock,
) -> RunResult:
    target = settings.target
    ref = ServiceDeploymentRef.parse(target.deployment)
    if ref is not None:
        return _continue_ecs(settings, ref, ecs, reporter, clock)
    if codedeploy is None:
        raise DeployError(f"{target.deployment}: CodeDeploy is needed but no client was given")
    return _continue_codedeploy(settings, codedeploy, reporter, clock)


def judge_service_deployment(record: Mapping[str, Any], answered_hook: str) -> Verdict | None:
    """After a hook was answered: final, paused again at another hook, or None (going on)."""
    status = str(record.get("status") or "")
    reason = str(record.get("statusReason") or "")
    if status in _FINAL:
        return Verdict(
            _FINAL[status], f"service deployment {status}" + (f": {reason}" if reason else "")
        )
    hook = ecs_bluegreen.awaiting_hook(record)
    if hook is not None and hook != answered_hook:
        stage = record.get("lifecycleStage") or "a later stage"
        return Verdict(Outcome.READY, f"paused again at {stage} (PAUSE hook {hook})")
    return None


def _continue_ecs(
    settings: ContinueSettings,
    ref: ServiceDeploymentRef,
    ecs: EcsApi,
    reporter: Reporter,
    clock: Clock,
) -> RunResult:
    record = ecs.describe_service_deployment(ref.arn)
    if record is None:
        raise PreflightError(f"service deployment {ref.arn} not found")
    hook = settings.target.hook_id or ecs_bluegreen.awaiting_hook(record)
    if hook is None:
        raise PreflightError(
            f"service deployment {ref.arn} is not paused at a lifecycle hook "
            f"(status {record.get('status')}, stage {record.get('lifecycleStage', 'unknown')}); "
            "nothing was sent"
        )
    action = settings.target.action.value
    ecs.continue_service_deployment(ref.arn, hook, action)
    reporter.info(f"{ref.service}: sent {action} to hook {hook} of {ref.arn}")
    started = clock.now()
    verdict = Verdict(Outcome.STARTED, f"{action} sent; not waited for")
    if settings.wait:
        verdict = _wait_for_service_deployment(settings, ref, hook, ecs, reporter, clock)
        record = ecs.describe_service_deployment(ref.arn) or record
    seconds = clock.now() - started
    reporter.verdict(ref.service, verdict.outcome, verdict.reason, seconds)
    stage = str(record.get("lifecycleStage")) if record.get("lifecycleStage") else None
    blue_green = BlueGreenResult(
        strategy="ecs_blue_green",
        deployment_arn=ref.arn,
        status=str(record.get("status") or "") or None,
        stage=stage,
        traffic=ecs_bluegreen.traffic(stage, verdict.outcome),
        hook_id=ecs_bluegreen.awaiting_hook(record) if verdict.outcome is Outcome.READY else None,
    )
    asked = settings.target.action is ContinueAction.ROLLBACK
    return _run_result(ref.cluster, ref.service, verdict, seconds, blue_green, asked)


def _wait_for_service_deployment(
    settings: ContinueSettings,
    ref: ServiceDeploymentRef,
    hook: str,
    ecs: EcsApi,
    reporter: Reporter,
    clock: Clock,
) -> Verdict:
    deadline = clock.now() + settings.timeout_seconds
    last = ""
    while True:
        record = ecs.describe_service_deployment(ref.arn) or {}
        line = f"{record.get('status', 'unknown')}, stage {record.get('lifecycleStage', '-')}"
        if line != last:
            last = line
            reporter.progress(ref.service, line)
        verdict = judge_service_deployment(record, hook)
        if verdict is not None:
            return verdict
        if clock.now() >= deadline:
            waited = format_duration(settings.timeout_seconds)
            return Verdict(Outcome.TIMED_OUT, f"no verdict after {waited}: {line}")
        clock.sleep(min(settings.poll_interval_seconds, max(0.0, deadline - clock.now())))


def _continue_codedeploy(
    settings: ContinueSettings, codedeploy: CodeDeployApi, reporter: Reporter, clock: Clock
) -> RunResult:
    deployment_id = settings.target.deployment
    info = codedeploy.get_deployment(deployment_id)
    status = str(info.get("status") or "")
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
    watcher = CodeDeployWatcher(
        codedeploy,
        clock,
        reporter,
        poll_interval=settings.poll_interval_seconds,
        stop_on_timeout=False,
    )
    target = CodeDeployTarget(
        service,
        deployment_id,
        now,
        now + settings.timeout_seconds,
        # Continued past Ready it lands at the termination wait; ended that wait, at Succeeded.
        termination_wait_lands=not terminating,
    )
    watched = watcher.watch_targets([target])[service]
    return _run_result(
        cluster, service, watched.verdict, watched.seconds, watched.blue_green, asked
    )


def _events(codedeploy: CodeDeployApi, deployment_id: str) -> list[tuple[str, str]]:
    """Lifecycle events by name and status; none when IAM denies them."""
    try:
        events = codedeploy.lifecycle_events(deployment_id)
    except AwsError:
        return []
    return [(str(e.get("lifecycleEventName")), str(e.get("status"))) for e in events]


def _ecs_service_of(codedeploy: CodeDeployApi, info: Mapping[str, Any]) -> tuple[str, str]:
    """The cluster and service the deployment group deploys (for messages and the summary)."""
    application = str(info.get("applicationName") or "")
    group_name = str(info.get("deploymentGroupName") or "")
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
