"""The deploy runbook: plan, apply, watch, roll back, report. Reads like the steps it takes."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ecs_deploy.aws.ecs import EcsApi
from ecs_deploy.aws.logs import LogsApi
from ecs_deploy.config.settings import Settings
from ecs_deploy.deploy.clock import Clock
from ecs_deploy.deploy.planning import build_plan
from ecs_deploy.deploy.rollback import roll_back, services_to_roll_back
from ecs_deploy.deploy.rolling import StartedDeployment, register_if_changed, start_rolling
from ecs_deploy.deploy.watch import WatchedVerdict, Watcher
from ecs_deploy.errors import DeployError, InputError
from ecs_deploy.plan.deployment import DeployPlan, ServicePlan
from ecs_deploy.report.console import Reporter
from ecs_deploy.results import Outcome, RunResult, ServiceResult

MAX_PARALLEL_UPDATES = 4  # bounded: UpdateService is throttled per account


@dataclass(frozen=True, slots=True)
class Clients:
    ecs: EcsApi
    logs: LogsApi | None = None


def run_deploy(settings: Settings, clients: Clients, reporter: Reporter, clock: Clock) -> RunResult:
    if settings.pre_tasks or settings.post_tasks:
        # Never skip a migration silently: refuse before anything changes.
        raise InputError(
            "tasks.pre and tasks.post are validated but not run by this version; "
            "remove them from the application file or run them in a separate step"
        )
    ecs = clients.ecs
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

    watcher = Watcher(
        ecs,
        clients.logs,
        clock,
        reporter,
        poll_interval=settings.poll_interval_seconds,
        fail_fast_policy=settings.fail_fast,
    )
    run_deadline = clock.now() + settings.timeout_seconds  # the run's clock starts at the update

    def start_all(plans: Sequence[ServicePlan]) -> list[StartedDeployment]:
        with reporter.section("Update services"):
            started, failed = _start_all(plans, ecs, reporter, clock)
        start_failures.update(failed)
        return started

    def watch_all(started: Sequence[StartedDeployment]) -> dict[str, WatchedVerdict]:
        with reporter.section("Wait for deployments"):
            return watcher.watch(plan.cluster, started, run_deadline)

    def watch_rollbacks(started: Sequence[StartedDeployment]) -> dict[str, WatchedVerdict]:
        # Rollbacks get their services' own timeouts, not what is left of the run's.
        with reporter.section("Wait for rollbacks"):
            return watcher.watch(plan.cluster, started)

    start_failures: dict[str, ServiceResult] = {}
    results = {s.name: _unchanged(s) for s in plan.services if not s.needs_update}
    started = start_all([s for s in plan.services if s.needs_update])
    results.update(start_failures)
    if not settings.wait:
        results.update(
            {d.plan.name: _result(d, Outcome.STARTED, "not waited for") for d in started}
        )
    elif started:
        verdicts = watch_all(started)
        results.update({d.plan.name: _result(d, verdicts[d.plan.name]) for d in started})
        targets = services_to_roll_back(results, started, settings.rollback)
        if targets:
            reporter.info("rolling back " + ", ".join(t.plan.name for t in targets))
            results = roll_back(results, targets, start_all, watch_rollbacks)
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
    deployment: StartedDeployment, watched: WatchedVerdict | Outcome, reason: str = ""
) -> ServiceResult:
    plan = deployment.plan
    if isinstance(watched, Outcome):
        outcome, seconds, evidence = watched, 0.0, None
    else:
        outcome, reason = watched.verdict.outcome, watched.verdict.reason
        seconds, evidence = watched.seconds, watched.forensics
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
        forensics=evidence,
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
