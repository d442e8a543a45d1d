"""Run pre- and post-deploy tasks (migrations, clean-ups) and judge them on their exit codes.

Success means every task STOPPED and every essential container exited 0. A task that never
started has no exit code: that is a failure, never a success. We wait for STOPPED directly (a
short task can pass RUNNING between two polls) and stop what outlives its timeout.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ecs_deploy.aws.ecs import EcsApi
from ecs_deploy.aws.logs import LogsApi
from ecs_deploy.config.durations import format_duration
from ecs_deploy.deploy import forensics
from ecs_deploy.deploy.clock import MAX_CONSECUTIVE_POLL_ERRORS, Clock
from ecs_deploy.deploy.registrar import Registrar
from ecs_deploy.errors import DeployError, TransientAwsError
from ecs_deploy.plan.deployment import TaskRunPlan
from ecs_deploy.report.console import Reporter
from ecs_deploy.results import ContainerExit, LogTail, Outcome, StoppedTask, TaskResult


def stopped_task(task: Mapping[str, Any], essential: set[str]) -> StoppedTask:
    started, stopped = task.get("startedAt"), task.get("stoppedAt")
    seconds = (
        (stopped - started).total_seconds()
        if isinstance(started, datetime) and isinstance(stopped, datetime)
        else None
    )
    return StoppedTask(
        task_arn=str(task.get("taskArn", "")),
        last_status=str(task.get("lastStatus", "")),
        stop_code=task.get("stopCode"),
        stopped_reason=task.get("stoppedReason"),
        containers=tuple(
            ContainerExit(
                name=str(c.get("name")),
                exit_code=c.get("exitCode"),
                reason=c.get("reason"),
                essential=c.get("name") in essential,
            )
            for c in task.get("containers") or []
        ),
        seconds=seconds,
    )


def judge_tasks(tasks: Sequence[StoppedTask]) -> tuple[Outcome, str]:
    """Every task stopped: succeeded only if every essential container exited 0."""
    for task in tasks:
        if task.stop_code == "TaskFailedToStart":
            return Outcome.FAILED, f"task {task.task_id} failed to start: {task.stopped_reason}"
        for container in task.containers:
            if not container.essential:
                continue
            if container.exit_code is None:
                return Outcome.FAILED, (
                    f"container {container.name} of task {task.task_id} has no exit code "
                    f"(it never ran): {container.reason or task.stopped_reason or 'no reason'}"
                )
            if container.exit_code != 0:
                detail = f" ({container.reason})" if container.reason else ""
                explanation = forensics.explain(container.exit_code, container.reason)
                hint = f": {explanation}" if explanation else ""
                return Outcome.FAILED, (
                    f"container {container.name} of task {task.task_id} exited "
                    f"{container.exit_code}{detail}{hint}"
                )
    count = len(tasks)
    return Outcome.SUCCEEDED, f"{count} task{'s' if count != 1 else ''} exited 0"


@dataclass
class _Running:
    """A task run this phase started and is waiting for."""

    plan: TaskRunPlan
    task_definition_arn: str
    started_at: float
    arns: list[str]
    latest: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    stop_requested: bool = False

    @property
    def deadline(self) -> float:
        return self.started_at + self.plan.timeout_seconds

    def all_stopped(self) -> bool:
        return len(self.latest) == len(self.arns) and all(
            task.get("lastStatus") == "STOPPED" for task in self.latest.values()
        )


class TaskRunner:
    def __init__(
        self,
        ecs: EcsApi,
        logs: LogsApi | None,
        clock: Clock,
        reporter: Reporter,
        registrar: Registrar,
        *,
        poll_interval: float,
    ) -> None:
        self._ecs = ecs
        self._logs = logs
        self._clock = clock
        self._reporter = reporter
        self._registrar = registrar
        self._poll_interval = poll_interval

    def run_phase(self, phase: str, plans: Sequence[TaskRunPlan]) -> tuple[TaskResult, ...]:
        """Tasks whose dependencies are done run together; a failed dependency skips the rest."""
        results: dict[str, TaskResult] = {}
        remaining = list(plans)
        while remaining:
            ready = [p for p in remaining if all(d in results for d in p.depends_on)]
            for plan in ready:
                failed = [d for d in plan.depends_on if not results[d].outcome.ok]
                if failed:
                    results[plan.name] = TaskResult(
                        plan.name, phase, Outcome.SKIPPED, f"skipped: {', '.join(failed)} failed"
                    )
            runnable = [p for p in ready if p.name not in results]
            results.update(self._run_together(phase, runnable))
            remaining = [p for p in remaining if p.name not in results]
        return tuple(results[plan.name] for plan in plans)

    def _run_together(self, phase: str, plans: Sequence[TaskRunPlan]) -> dict[str, TaskResult]:
        results: dict[str, TaskResult] = {}
        running: list[_Running] = []
        for plan in plans:
            started = self._start(phase, plan)
            if isinstance(started, TaskResult):
                results[plan.name] = started
            else:
                running.append(started)
        results.update(self._wait(phase, running))
        return results

    def _start(self, phase: str, plan: TaskRunPlan) -> _Running | TaskResult:
        try:
            arn, _ = self._registrar.arn_for(plan.task_definition)
            # One token per run of this task: botocore's retries of this RunTask reuse it, so a
            # retried call never starts a second migration.
            params = {**plan.run_params, "taskDefinition": arn, "clientToken": uuid.uuid4().hex}
            tasks, failures = self._ecs.run_task(params)
        except DeployError as exc:
            return TaskResult(plan.name, phase, Outcome.FAILED, f"could not start: {exc}")
        arns = [str(task["taskArn"]) for task in tasks]
        if failures or len(arns) < plan.count:
            for task_arn in arns:  # half a migration is worse than none: stop what started
                self._stop_task(plan, task_arn, "ecs-deploy: RunTask failed")
            reasons = "; ".join(
                f"{f.get('reason', 'unknown')}" + (f" ({f['detail']})" if f.get("detail") else "")
                for f in failures
            )
            return TaskResult(
                plan.name,
                phase,
                Outcome.FAILED,
                f"RunTask started {len(arns)} of {plan.count} tasks: {reasons or 'no reason'}",
                task_definition_arn=arn,
            )
        self._reporter.info(f"{plan.name}: started {', '.join(a.rsplit('/', 1)[-1] for a in arns)}")
        if not plan.wait:
            stub = tuple(StoppedTask(task_arn=a, last_status="PROVISIONING") for a in arns)
            return TaskResult(plan.name, phase, Outcome.STARTED, "not waited for", arn, stub)
        return _Running(plan, arn, self._clock.now(), arns)

    def _wait(self, phase: str, running: list[_Running]) -> dict[str, TaskResult]:
        results: dict[str, TaskResult] = {}
        cluster = running[0].plan.run_params["cluster"] if running else ""
        errors_in_a_row = 0
        while running:
            arns = [arn for run in running for arn in run.arns]
            try:
                described = {str(t["taskArn"]): t for t in self._ecs.describe_tasks(cluster, arns)}
                errors_in_a_row = 0
            except TransientAwsError as exc:
                errors_in_a_row += 1
                if errors_in_a_row >= MAX_CONSECUTIVE_POLL_ERRORS:
                    for run in running:
                        results[run.plan.name] = self._lost(phase, run, exc)
                    return results
                # A skipped poll learns nothing; deadlines still apply to what was last seen.
                self._reporter.warning(f"{exc}; trying again at the next poll")
                described = {}
            now = self._clock.now()
            for run in list(running):
                self._observe(run, described)
                if run.all_stopped():
                    results[run.plan.name] = self._result(phase, run, now)
                    running.remove(run)
                elif now >= run.deadline and not run.stop_requested:
                    self._stop(run)
                elif run.stop_requested and now >= run.deadline + self._poll_interval * 10:
                    results[run.plan.name] = self._result(phase, run, now)  # stop is slow: go on
                    running.remove(run)
            if running:
                self._clock.sleep(self._poll_interval)
        return results

    def _observe(self, run: _Running, described: Mapping[str, Mapping[str, Any]]) -> None:
        for arn in run.arns:
            task = described.get(arn)
            if task is None:
                continue
            before = run.latest.get(arn, {}).get("lastStatus")
            run.latest[arn] = task
            if task.get("lastStatus") != before:
                self._reporter.progress(
                    run.plan.name, f"task {arn.rsplit('/', 1)[-1]} {task.get('lastStatus')}"
                )

    def _stop(self, run: _Running) -> None:
        run.stop_requested = True
        reason = f"ecs-deploy: timed out after {format_duration(run.plan.timeout_seconds)}"
        for arn in run.arns:
            if run.latest.get(arn, {}).get("lastStatus") != "STOPPED":
                self._stop_task(run.plan, arn, reason)

    def _stop_task(self, plan: TaskRunPlan, arn: str, reason: str) -> None:
        """Stopping is a courtesy: a failure to stop is told, and the run goes on."""
        try:
            self._ecs.stop_task(plan.run_params["cluster"], arn, reason)
        except DeployError as exc:
            self._reporter.warning(
                f"{plan.name}: could not stop task {arn.rsplit('/', 1)[-1]}: {exc}; "
                "stop it in the console"
            )

    def _lost(self, phase: str, run: _Running, exc: DeployError) -> TaskResult:
        result = TaskResult(
            name=run.plan.name,
            phase=phase,
            outcome=Outcome.FAILED,
            reason=f"lost contact with ECS while waiting ({exc}); the task goes on in ECS",
            task_definition_arn=run.task_definition_arn,
            tasks=tuple(
                stopped_task(run.latest.get(arn, {"taskArn": arn}), set()) for arn in run.arns
            ),
            seconds=self._clock.now() - run.started_at,
        )
        self._reporter.task_result(result)
        return result

    def _result(self, phase: str, run: _Running, now: float) -> TaskResult:
        essential = forensics.essential_containers(run.plan.task_definition.register_params)
        tasks = tuple(
            stopped_task(run.latest.get(arn, {"taskArn": arn}), essential) for arn in run.arns
        )
        if run.stop_requested:
            outcome = Outcome.TIMED_OUT
            reason = f"still running after {format_duration(run.plan.timeout_seconds)}: stopped"
        else:
            outcome, reason = judge_tasks(tasks)
        result = TaskResult(
            name=run.plan.name,
            phase=phase,
            outcome=outcome,
            reason=reason,
            task_definition_arn=run.task_definition_arn,
            tasks=tasks,
            seconds=now - run.started_at,
            logs=() if outcome.ok else self._log_tails(run, tasks),
        )
        self._reporter.task_result(result)
        return result

    def _log_tails(self, run: _Running, tasks: Sequence[StoppedTask]) -> tuple[LogTail, ...]:
        """The last lines of each failing essential container (the first task that shows it)."""
        tails: list[LogTail] = []
        shown: set[str] = set()
        definition = run.plan.task_definition.register_params
        for task in tasks:
            for container in task.containers:
                if container.name in shown or not container.essential or container.exit_code == 0:
                    continue
                if self._logs is None:
                    continue
                tail = forensics.read_log_tail(self._logs, definition, container.name, task.task_id)
                if tail is not None:
                    shown.add(container.name)
                    tails.append(tail)
        return tuple(tails)
