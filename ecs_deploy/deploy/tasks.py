"""Run pre- and post-deploy tasks (migrations, clean-ups) and judge them on their exit codes.

Success means every task STOPPED and every essential container exited 0. A task that never
started has no exit code: that is a failure, never a success. We wait for STOPPED directly (a
short task can pass RUNNING between two polls) and stop what outlives its timeout.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ecs_deploy.aws.ecs import EcsApi
from ecs_deploy.aws.logs import LogsApi
from ecs_deploy.aws.state import EcsTask
from ecs_deploy.config.durations import format_duration
from ecs_deploy.deploy import forensics
from ecs_deploy.deploy.registrar import Registrar
from ecs_deploy.deploy.verdict import Verdict
from ecs_deploy.deploy.watch import (
    Note,
    Read,
    Snapshot,
    Step,
    TasksRead,
    Watched,
    WatchLoop,
    unreadable,
)
from ecs_deploy.errors import AwsError, DeployError
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


# After StopTask, how many polls to wait for STOPPED before reporting the timeout anyway.
STOP_GRACE_POLLS = 10


@dataclass
class TaskRunTracker:
    """Follows the tasks of one task run from snapshots (no AWS calls)."""

    plan: TaskRunPlan
    task_definition_arn: str
    started_at: float
    arns: list[str]
    poll_interval: float
    latest: dict[str, EcsTask] = field(default_factory=dict)
    stop_requested: bool = False
    deadline: float = 0.0

    def __post_init__(self) -> None:
        self.deadline = self.started_at + self.plan.timeout_seconds

    @property
    def name(self) -> str:
        return self.plan.name

    @property
    def cluster(self) -> str:
        return str(self.plan.run_params["cluster"])

    def reads(self) -> Iterable[Read]:
        yield TasksRead(self.cluster, tuple(self.arns))

    def followups(self, snapshot: Snapshot) -> Iterable[Read]:
        return ()

    def observe(self, snapshot: Snapshot, now: float) -> Step:
        read = TasksRead(self.cluster, tuple(self.arns))
        permanent = unreadable(snapshot, read)
        if permanent is not None:
            raise AwsError(f"{self.name}: cannot read its tasks: {permanent}")
        described = snapshot.get(read) or {}
        notes: list[tuple[Note, str]] = []
        for arn in self.arns:
            task = described.get(arn)
            if task is None:
                continue
            before = self.latest[arn].last_status if arn in self.latest else None
            self.latest[arn] = task
            if task.last_status != before:
                notes.append((Note.PROGRESS, f"task {arn.rsplit('/', 1)[-1]} {task.last_status}"))
        if not self.all_stopped():
            return Step(notes=tuple(notes))
        if self.stop_requested:
            verdict = Verdict(
                Outcome.TIMED_OUT,
                f"still running after {format_duration(self.plan.timeout_seconds)}: stopped",
            )
        else:
            outcome, reason = judge_tasks(self.stopped_tasks())
            verdict = Verdict(outcome, reason)
        return Step(verdict, tuple(notes))

    def all_stopped(self) -> bool:
        return len(self.latest) == len(self.arns) and all(
            task.last_status == "STOPPED" for task in self.latest.values()
        )

    def stopped_tasks(self) -> tuple[StoppedTask, ...]:
        essential = forensics.essential_containers(self.plan.task_definition.register_params)
        return tuple(
            stopped_task(
                self.latest[arn].raw if arn in self.latest else {"taskArn": arn}, essential
            )
            for arn in self.arns
        )

    def expire(self, now: float) -> Verdict | None:
        if not self.stop_requested:
            return None  # stop the tasks (the abort), then wait a little for STOPPED
        return Verdict(
            Outcome.TIMED_OUT,
            f"still running after {format_duration(self.plan.timeout_seconds)}: stop requested",
        )

    def running_arns(self) -> list[str]:
        return [
            a for a in self.arns if a not in self.latest or self.latest[a].last_status != "STOPPED"
        ]


class TaskRunner:
    def __init__(
        self,
        ecs: EcsApi,
        logs: LogsApi | None,
        reporter: Reporter,
        registrar: Registrar,
        loop: WatchLoop,
    ) -> None:
        self._ecs = ecs
        self._logs = logs
        self._reporter = reporter
        self._registrar = registrar
        self._loop = loop
        self._clock = loop.clock

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
        running: list[TaskRunTracker] = []
        for plan in plans:
            started = self._start(phase, plan)
            if isinstance(started, TaskResult):
                results[plan.name] = started
            else:
                running.append(started)
        results.update(self._wait(phase, running))
        return results

    def _start(self, phase: str, plan: TaskRunPlan) -> TaskRunTracker | TaskResult:
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
        return TaskRunTracker(plan, arn, self._clock.now(), arns, self._loop.poll_interval)

    def _wait(self, phase: str, running: list[TaskRunTracker]) -> dict[str, TaskResult]:
        """One wait for every task run of this step (the run's watch loop)."""
        watched = [
            Watched(tracker, abort=self._stopper(tracker), announce=False) for tracker in running
        ]
        verdicts = self._loop.run(watched, live=False) if watched else {}
        return {
            tracker.name: self._result(phase, tracker, verdicts[tracker.name].verdict)
            for tracker in running
        }

    def _stopper(self, tracker: TaskRunTracker) -> Any:
        def stop() -> str:
            tracker.stop_requested = True
            reason = f"ecs-deploy: timed out after {format_duration(tracker.plan.timeout_seconds)}"
            for arn in tracker.running_arns():
                self._stop_task(tracker.plan, arn, reason)
            tracker.deadline = self._clock.now() + tracker.poll_interval * STOP_GRACE_POLLS
            return (
                f"still running after {format_duration(tracker.plan.timeout_seconds)}: stopping it"
            )

        return stop

    def _stop_task(self, plan: TaskRunPlan, arn: str, reason: str) -> None:
        """Stopping is a courtesy: a failure to stop is told, and the run goes on."""
        try:
            self._ecs.stop_task(plan.run_params["cluster"], arn, reason)
        except DeployError as exc:
            self._reporter.warning(
                f"{plan.name}: could not stop task {arn.rsplit('/', 1)[-1]}: {exc}; "
                "stop it in the console"
            )

    def _result(self, phase: str, run: TaskRunTracker, verdict: Verdict) -> TaskResult:
        tasks = run.stopped_tasks()
        result = TaskResult(
            name=run.plan.name,
            phase=phase,
            outcome=verdict.outcome,
            reason=verdict.reason,
            task_definition_arn=run.task_definition_arn,
            tasks=tasks,
            seconds=self._clock.now() - run.started_at,
            logs=() if verdict.outcome.ok else self._log_tails(run, tasks),
        )
        self._reporter.task_result(result)
        return result

    def _log_tails(self, run: TaskRunTracker, tasks: Sequence[StoppedTask]) -> tuple[LogTail, ...]:
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
