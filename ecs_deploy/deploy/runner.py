"""The deploy runbook: plan, apply, watch, report. Reads top to bottom like the steps it takes."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from ecs_deploy.aws.ecs import EcsApi
from ecs_deploy.config.settings import Settings
from ecs_deploy.deploy.clock import Clock
from ecs_deploy.deploy.planning import build_plan
from ecs_deploy.deploy.rolling import StartedDeployment, register_if_changed, start_rolling
from ecs_deploy.deploy.watch import Watcher
from ecs_deploy.errors import DeployError, InputError
from ecs_deploy.plan.deployment import DeployPlan, ServicePlan
from ecs_deploy.report.console import Reporter
from ecs_deploy.results import Outcome, RunResult, ServiceResult

MAX_PARALLEL_UPDATES = 4  # bounded: UpdateService is throttled per account


def run_deploy(settings: Settings, ecs: EcsApi, reporter: Reporter, clock: Clock) -> RunResult:
    if settings.pre_tasks or settings.post_tasks:
        # Never skip a migration silently: refuse before anything changes.
        raise InputError(
            "tasks.pre and tasks.post are validated but not run by this version; "
            "remove them from the application file or run them in a separate step"
        )
    with reporter.section("Plan"):
        plan = build_plan(settings, ecs)
        reporter.plan(plan)
    if settings.dry_run:
        reporter.info("dry run: nothing was changed")
        return _planned(plan)
    if plan.register_only is not None:
        arn, registered = register_if_changed(plan.register_only, ecs)
        reporter.info(f"{'registered' if registered else 'reusing'} {arn}")
        return RunResult(
            cluster=plan.cluster,
            task_definition_arn=arn,
            previous_task_definition_arn=plan.register_only.live_arn,
        )

    to_update = [service for service in plan.services if service.needs_update]
    with reporter.section("Update services"):
        started, failed = _start_all(to_update, ecs, reporter, clock)
    results = {
        service.name: _unchanged(service) for service in plan.services if not service.needs_update
    }
    results.update(failed)
    if not settings.wait:
        results.update(
            {d.plan.name: _result(d, Outcome.STARTED, "not waited for", 0.0) for d in started}
        )
    elif started:
        with reporter.section("Wait for deployments"):
            watcher = Watcher(ecs, clock, reporter, settings.poll_interval_seconds)
            verdicts = watcher.watch(plan.cluster, started)
        for deployment in started:
            watched = verdicts[deployment.plan.name]
            results[deployment.plan.name] = _result(
                deployment, watched.verdict.outcome, watched.verdict.reason, watched.seconds
            )
    ordered = tuple(results[service.name] for service in plan.services)
    return RunResult(cluster=plan.cluster, services=ordered)


def _start_all(
    services: Sequence[ServicePlan], ecs: EcsApi, reporter: Reporter, clock: Clock
) -> tuple[list[StartedDeployment], dict[str, ServiceResult]]:
    """Start every update in parallel; a service whose update fails gets a failed result."""
    started: list[StartedDeployment] = []
    failed: dict[str, ServiceResult] = {}
    if not services:
        return started, failed
    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL_UPDATES, len(services))) as pool:
        futures = [
            (service, pool.submit(start_rolling, service, ecs, clock)) for service in services
        ]
        for service, future in futures:
            try:
                deployment = future.result()
            except DeployError as exc:
                reporter.error(f"{service.name}: {exc}")
                failed[service.name] = ServiceResult(
                    name=service.name,
                    cluster=service.cluster,
                    outcome=Outcome.FAILED,
                    previous_task_definition_arn=service.current_task_definition_arn,
                    task_definition_arn=None,
                    reason=str(exc),
                )
                continue
            started.append(deployment)
            verb = "registered" if deployment.registered else "reusing"
            reporter.info(
                f"{service.name}: {verb} {deployment.task_definition_arn}; "
                f"deployment {deployment.deployment_id or '(unknown id)'} started"
            )
    return started, failed


def _result(
    deployment: StartedDeployment, outcome: Outcome, reason: str, seconds: float
) -> ServiceResult:
    plan = deployment.plan
    return ServiceResult(
        name=plan.name,
        cluster=plan.cluster,
        outcome=outcome,
        previous_task_definition_arn=plan.current_task_definition_arn,
        task_definition_arn=deployment.task_definition_arn,
        seconds=seconds,
        deployment_id=deployment.deployment_id,
        reason=reason,
        images=plan.task_definition.images,
        registered=deployment.registered,
    )


def _unchanged(service: ServicePlan) -> ServiceResult:
    return ServiceResult(
        name=service.name,
        cluster=service.cluster,
        outcome=Outcome.UNCHANGED,
        previous_task_definition_arn=service.current_task_definition_arn,
        task_definition_arn=service.current_task_definition_arn,
        reason="task definition unchanged; no deployment started",
    )


def _planned(plan: DeployPlan) -> RunResult:
    services = tuple(
        ServiceResult(
            name=service.name,
            cluster=service.cluster,
            outcome=Outcome.PLANNED if service.needs_update else Outcome.UNCHANGED,
            previous_task_definition_arn=service.current_task_definition_arn,
            task_definition_arn=None
            if service.task_definition.changed
            else service.current_task_definition_arn,
            images=service.task_definition.images,
        )
        for service in plan.services
    )
    return RunResult(cluster=plan.cluster, services=services, dry_run=True)
