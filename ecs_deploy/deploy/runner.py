"""The deploy runbook: plan, apply, watch, roll back, report. Reads like the steps it takes."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ecs_deploy.aws.codedeploy import CodeDeployApi
from ecs_deploy.aws.ecs import EcsApi
from ecs_deploy.aws.logs import LogsApi
from ecs_deploy.aws.ssm import SsmApi
from ecs_deploy.config.settings import Settings
from ecs_deploy.deploy.bluegreen_planning import wait_until_note
from ecs_deploy.deploy.clock import Clock
from ecs_deploy.deploy.codedeploy_preflight import preflight_codedeploy
from ecs_deploy.deploy.dispatch import (
    Watching,
    announce_started,
    start_service,
    started_blue_green,
)
from ecs_deploy.deploy.image_tag_parameters import write_image_tag_parameters
from ecs_deploy.deploy.paused_rollback import PausedRollback
from ecs_deploy.deploy.planning import build_plan
from ecs_deploy.deploy.registrar import Registrar
from ecs_deploy.deploy.revision_cleanup import clean_up_revisions
from ecs_deploy.deploy.rollback import left_to_ecs, roll_back, services_to_roll_back
from ecs_deploy.deploy.started import StartedDeployment
from ecs_deploy.deploy.tasks import TaskRunner
from ecs_deploy.deploy.watch import SourceReader, WatchedVerdict, WatchLoop
from ecs_deploy.errors import DeployError
from ecs_deploy.plan.deployment import DeployPlan, ServicePlan
from ecs_deploy.report.console import Reporter
from ecs_deploy.results import Outcome, ParameterWrite, RunResult, ServiceResult, TaskResult

MAX_PARALLEL_UPDATES = 4  # bounded: UpdateService is throttled per account


@dataclass(frozen=True, slots=True)
class Clients:
    ecs: EcsApi
    logs: LogsApi | None = None
    codedeploy: CodeDeployApi | None = None
    ssm: SsmApi | None = None


def run_deploy(
    settings: Settings,
    clients: Clients,
    reporter: Reporter,
    clock: Clock,
    *,
    wait_ends_at: float | None = None,
) -> RunResult:
    """`wait_ends_at` (on `clock`): the wait for the verdicts ends then at the latest, however
    long planning took (a Lambda function's remaining time, events/budget.py)."""
    ecs = clients.ecs
    with reporter.section("Plan"):
        plan = build_plan(settings, ecs, reporter.warning)
        note = wait_until_note(plan, settings.wait_until)
        plan = preflight_codedeploy(plan, clients.codedeploy, reporter.warning)
        reporter.plan(plan)
        if note:
            reporter.info(note)
    if settings.dry_run:
        reporter.info("dry run: nothing was changed")
        return _planned(plan)
    registrar = Registrar(ecs, warn=reporter.warning)
    loop = WatchLoop(
        SourceReader(ecs, clients.codedeploy),
        clock,
        reporter,
        poll_interval=settings.poll_interval_seconds,
        hand_off_at=wait_ends_at,
    )
    tasks = TaskRunner(ecs, clients.logs, reporter, registrar, loop)
    if plan.register_only is not None:
        arn, registered = registrar.arn_for(plan.register_only)
        reporter.info(f"{'registered' if registered else 'reusing'} {arn}")
        with reporter.section("Tasks"):
            ran = tasks.run_phase("pre", plan.pre_tasks)
        registered_only = RunResult(
            cluster=plan.cluster,
            task_definition_arn=arn,
            previous_task_definition_arn=plan.register_only.live_arn,
            pre_tasks=ran,
        )
        return _after_success(registered_only, plan, settings, clients, registrar, reporter)

    pre: tuple[TaskResult, ...] = ()
    if plan.pre_tasks:
        with reporter.section("Pre-deploy tasks"):
            pre = tasks.run_phase("pre", plan.pre_tasks)
        failed = [task.name for task in pre if not task.outcome.ok]
        if failed:
            # A failed migration means no service is touched.
            reason = f"not updated: pre-deploy task {', '.join(failed)} failed"
            skipped = tuple(_skipped(service, reason) for service in plan.services)
            return RunResult(cluster=plan.cluster, services=skipped, pre_tasks=pre)

    watching = Watching(
        loop=loop,
        ecs=ecs,
        logs=clients.logs,
        codedeploy=clients.codedeploy,
        clock=clock,
        policy=settings.fail_fast,
        stop_codedeploy_on_timeout=settings.rollback.on_failure,
    )
    run_deadline = clock.now() + settings.timeout_seconds  # the run's clock starts at the update
    if wait_ends_at is not None:
        run_deadline = min(run_deadline, wait_ends_at)

    def start_all(plans: Sequence[ServicePlan]) -> list[StartedDeployment]:
        with reporter.section("Update services"):
            started, failed = _start_all(
                plans, ecs, registrar, reporter, clock, codedeploy=clients.codedeploy
            )
        announce_started(settings.github.output, started)
        start_failures.update(failed)
        return started

    def watch_all(started: Sequence[StartedDeployment]) -> dict[str, WatchedVerdict]:
        with reporter.section("Wait for deployments"):
            return watching.watch(started, run_deadline)

    def watch_rollbacks(started: Sequence[StartedDeployment]) -> dict[str, WatchedVerdict]:
        # Rollbacks get their services' own timeouts, not what is left of the run's.
        with reporter.section("Wait for rollbacks"):
            return watching.watch(started)

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
        # Never a rollback of our own on top of one ECS (or CodeDeploy) has under way.
        ecs_rolling_back = {
            name for name, watched in verdicts.items() if watched.verdict.ecs_rollback
        }
        if settings.rollback.on_failure:
            results = left_to_ecs(results, ecs_rolling_back)
        targets = services_to_roll_back(results, started, settings.rollback, ecs_rolling_back)
        if targets:
            reporter.info("rolling back " + ", ".join(t.plan.name for t in targets))
            paused = PausedRollback(
                ecs,
                clients.codedeploy,
                reporter,
                loop,
            )
            results = roll_back(results, targets, start_all, watch_rollbacks, paused)
    ordered = tuple(results[service.name] for service in plan.services)
    post: tuple[TaskResult, ...] = ()
    # Post tasks follow services that landed; not ones still on their way (started, ready).
    landed = all(result.outcome in (Outcome.SUCCEEDED, Outcome.UNCHANGED) for result in ordered)
    if plan.post_tasks and landed:
        with reporter.section("Post-deploy tasks"):
            post = tasks.run_phase("post", plan.post_tasks)
        if any(not task.outcome.ok for task in post):
            reporter.error("a post-deploy task failed; the services WERE updated (see above)")
    elif plan.post_tasks and all(result.outcome.ok for result in ordered):
        note = "post-deploy tasks not run: the services have not finished deploying"
        reporter.warning(note)
        unfinished = RunResult(plan.cluster, ordered, pre_tasks=pre, notes=(note,))
        return _after_success(unfinished, plan, settings, clients, registrar, reporter)
    elif plan.post_tasks:
        post = tuple(
            TaskResult(p.name, "post", Outcome.SKIPPED, "skipped: the services did not deploy")
            for p in plan.post_tasks
        )
    result = RunResult(cluster=plan.cluster, services=ordered, pre_tasks=pre, post_tasks=post)
    return _after_success(result, plan, settings, clients, registrar, reporter)


def _after_success(
    result: RunResult,
    plan: DeployPlan,
    settings: Settings,
    clients: Clients,
    registrar: Registrar,
    reporter: Reporter,
) -> RunResult:
    """What follows a deploy that landed: the image tag Terraform reads (per service that
    landed), then old revisions deregistered (only when the whole run succeeded)."""
    parameters: tuple[ParameterWrite, ...] = ()
    if any(service.image_tag_parameter for service in plan.services):
        with reporter.section("Image tag parameters"):
            parameters = write_image_tag_parameters(
                plan.services, result.services, clients.ssm, reporter
            )
    deregistered: tuple[str, ...] = ()
    if settings.keep_revisions is not None:
        if result.outcome is Outcome.SUCCEEDED:
            with reporter.section("Old revisions"):
                deregistered = clean_up_revisions(
                    settings.keep_revisions,
                    settings.revision_clusters,
                    registrar.registered,
                    plan.services,
                    result.services,
                    clients.ecs,
                    reporter,
                )
        else:
            reporter.info(f"keep-revisions: nothing deregistered (outcome {result.outcome.value})")
    failed = tuple(p.reason for p in parameters if p.outcome is Outcome.FAILED)
    return dataclasses.replace(
        result,
        parameters=parameters,
        deregistered=deregistered,
        notes=(*result.notes, *failed),  # the job summary says it too
    )


def _start_all(
    services: Sequence[ServicePlan],
    ecs: EcsApi,
    registrar: Registrar,
    reporter: Reporter,
    clock: Clock,
    codedeploy: CodeDeployApi | None = None,
) -> tuple[list[StartedDeployment], dict[str, ServiceResult]]:
    """Start every update in parallel; a service whose update fails gets a failed result."""
    started: list[StartedDeployment] = []
    failed: dict[str, ServiceResult] = {}
    if not services:
        return started, failed
    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL_UPDATES, len(services))) as pool:
        futures = [
            (service, pool.submit(start_service, service, ecs, codedeploy, registrar, clock))
            for service in services
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
            if deployment.followed:
                reporter.info(
                    f"{service.name}: {deployment.task_definition_arn} is being deployed "
                    f"already: following deployment {deployment.deployment_id} (no update)"
                )
                continue
            reporter.service_updated(
                service, deployment.task_definition_arn, deployment.deployment_id
            )
            verb = "registered" if deployment.registered else "reusing"
            reporter.info(
                f"{service.name}: {verb} {deployment.task_definition_arn}; "
                + (
                    f"deployment {deployment.deployment_id} started"
                    if deployment.deployment_id
                    else "no new deployment (only the desired count changed)"
                )
            )
    return started, failed


def _result(
    deployment: StartedDeployment, watched: WatchedVerdict | Outcome, reason: str = ""
) -> ServiceResult:
    plan = deployment.plan
    if isinstance(watched, Outcome):
        outcome, seconds, evidence = watched, 0.0, None
        blue_green = started_blue_green(deployment)
    else:
        outcome, reason = watched.verdict.outcome, watched.verdict.reason
        seconds, evidence = watched.seconds, watched.forensics
        blue_green = watched.blue_green or started_blue_green(deployment)
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
        blue_green=blue_green,
    )


def _skipped(service: ServicePlan, reason: str) -> ServiceResult:
    return ServiceResult(
        name=service.name,
        cluster=service.cluster,
        outcome=Outcome.SKIPPED,
        previous_task_definition_arn=service.current_task_definition_arn,
        task_definition_arn=service.current_task_definition_arn,
        reason=reason,
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
            else service.task_definition.live_arn or service.current_task_definition_arn,
            images=service.task_definition.images,
        )
        for service in plan.services
    )
    return RunResult(cluster=plan.cluster, services=services, dry_run=True)
