"""What a person reads while the run goes: the plan, progress, verdicts and errors.

On a terminal, rich colours; in CI, plain timestamped lines; on GitHub, grouped with
::group:: and failures raised as annotations. Values of environment entries and secrets never
reach this module unmasked (the plan's diff masks them).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from ecs_deploy.config.durations import format_duration
from ecs_deploy.errors import SourceLocation
from ecs_deploy.plan.deployment import DeployPlan, ServicePlan, TaskDefinitionPlan
from ecs_deploy.report.bluegreen_summary import strategy_line
from ecs_deploy.report.commands import annotation
from ecs_deploy.report.record import RunRecord
from ecs_deploy.results import (
    Forensics,
    LogTail,
    Outcome,
    RunResult,
    ServiceResult,
    TaskResult,
    revision_of,
)

_STYLE = {True: "green", False: "red"}
LINE_BREAK_MARK = " ⏎ "  # what a line break inside one message is shown as


def one_line(text: str) -> str:
    """`text` with every line break (\\n, \\r, and the rest str.splitlines knows) made visible."""
    return LINE_BREAK_MARK.join(text.splitlines()) if text else text


class Reporter:
    def __init__(
        self,
        *,
        in_actions: bool,
        out: TextIO | None = None,
        err: TextIO | None = None,
        terminal: bool | None = None,  # None: detect
        workspace: str | None = None,  # file locations are shown relative to it
    ) -> None:
        self._in_actions = in_actions
        self._workspace = workspace
        self._out = out or sys.stdout
        self._err = err or sys.stderr
        self._console = Console(
            file=self._out, highlight=False, soft_wrap=True, force_terminal=terminal
        )
        self._timestamps = not self._console.is_terminal
        self._live: Live | None = None
        self._rows: dict[str, str] = {}
        # What was planned and which updates were sent: the edge's account of a run an
        # error breaks off.
        self.record = RunRecord()

    # -- plain lines -------------------------------------------------------------------------
    def info(self, message: str, style: str | None = None) -> None:
        """One line, always: text from outside (log lines, ECS events, AWS messages) may hold
        line breaks, and a line it started with `::` would be a workflow command to the runner.
        """
        prefix = f"{datetime.now():%H:%M:%S} " if self._timestamps else ""
        line = one_line(message)
        if not prefix and line.startswith("::"):
            line = " " + line
        self._console.print(Text(prefix + line, style=style or ""))

    def warning(self, message: str, location: SourceLocation | None = None) -> None:
        location = self.relative(location)
        if self._in_actions:
            self._raw(annotation("warning", message, location))
        else:
            self.info(f"warning: {message}", style="yellow")

    def error(self, message: str, location: SourceLocation | None = None) -> None:
        """One line on stderr (or one annotation on GitHub): never a traceback."""
        location = self.relative(location)
        if self._in_actions:
            self._raw(annotation("error", message, location))
        else:
            where = f"{location}: " if location else ""
            print(f"error: {where}{message}", file=self._err, flush=True)

    def relative(self, location: SourceLocation | None) -> SourceLocation | None:
        """A file in the workspace by its path in the repository: GitHub puts annotations on
        the lines of a diff by that path."""
        if location is None or not self._workspace:
            return location
        try:
            path = Path(location.path).relative_to(self._workspace)
        except ValueError:
            return location
        return replace(location, path=path.as_posix())

    @contextmanager
    def section(self, title: str) -> Iterator[None]:
        if self._in_actions:
            self._raw(f"::group::{title}")
            try:
                yield
            finally:
                self._raw("::endgroup::")
        else:
            self.info(f"== {title}", style="bold")
            yield

    def _raw(self, line: str) -> None:
        print(line, file=self._out, flush=True)

    # -- the run -----------------------------------------------------------------------------
    def plan(self, plan: DeployPlan) -> None:
        self.record.planned(plan)
        for service in plan.services:
            action = "update" if service.needs_update else "no change"
            reasons = [
                reason
                for reason, present in (
                    ("new task definition", service.task_definition.changed),
                    (
                        f"deploy {revision_of(service.task_definition.live_arn)} as it is",
                        service.switches_revision,
                    ),
                    ("forced", service.force_new_deployment),
                    (f"redeploy: {service.redeploy_reason}", service.redeploy_reason is not None),
                    (
                        f"follow {service.follows.id if service.follows else ''}: ECS is "
                        "deploying this revision already",
                        service.follows is not None,
                    ),
                    (f"desired count {service.desired_count}", service.desired_count is not None),
                )
                if present
            ]
            detail = f" ({', '.join(reasons)})" if reasons else ""
            self.info(f"service {service.name}: {action}{detail}", style="bold")
            self.info(f"  current: {revision_of(service.current_task_definition_arn)}")
            strategy = strategy_line(service)
            if strategy:
                self.info(strategy)
            self._task_definition(service.task_definition)
        if plan.register_only is not None:
            self.info(f"task definition {plan.register_only.family}", style="bold")
            self._task_definition(plan.register_only)
        for phase, tasks in (("pre", plan.pre_tasks), ("post", plan.post_tasks)):
            for task in tasks:
                after = f" after {', '.join(task.depends_on)}" if task.depends_on else ""
                self.info(
                    f"{phase}-deploy task {task.name}: run {task.count} x "
                    f"{task.task_definition.family}{after}",
                    style="bold",
                )
                self._task_definition(task.task_definition)

    def _task_definition(self, plan: TaskDefinitionPlan) -> None:
        for image in plan.images:
            self.info(f"  {image.container}: {image.before} -> {image.after}")
        if plan.dropped_keys:
            # One warning naming each key where it is; the annotation sits at the first one.
            keys = [replace(key, location=self.relative(key.location)) for key in plan.dropped_keys]
            self.warning(
                f"{plan.family}: dropped keys RegisterTaskDefinition does not accept: "
                + ", ".join(map(str, keys)),
                keys[0].location,
            )
        if not plan.changed:
            self.info(f"  task definition unchanged: reusing {revision_of(plan.live_arn)}")
        for line in plan.diff:
            style = "green" if line.startswith("+") else "red" if line.startswith("-") else None
            self.info(f"  {line}", style=style)

    @contextmanager
    def live_progress(self, services: Sequence[str]) -> Iterator[None]:
        """On a terminal, a live table of the deployments being watched; elsewhere, nothing."""
        if not self._console.is_terminal:
            yield
            return
        self._rows = {name: "waiting" for name in services}
        with Live(self._table(), console=self._console, refresh_per_second=4) as live:
            self._live = live
            try:
                yield
            finally:
                self._live = None

    def _table(self) -> Table:
        table = Table(box=None, show_header=True, header_style="bold")
        table.add_column("service")
        table.add_column("new deployment")
        for name, line in self._rows.items():
            table.add_row(name, line)
        return table

    def _log_tail(self, tail: LogTail) -> None:
        if tail.unavailable:
            line = f"log of {tail.container} ({tail.location}): {tail.unavailable}"
            if tail.denied:
                self.warning(line)  # a policy to fix, not a fact about the deployment
            else:
                self.info(f"  {line}")
            return
        self.info(f"  last log lines of {tail.container} (task {tail.task_id}, {tail.location}):")
        for line in tail.lines:
            self.info(f"    | {line}")

    def service_updated(
        self, service: ServicePlan, task_definition_arn: str, deployment_id: str | None
    ) -> None:
        """UpdateService (or CreateDeployment) for `service` was sent and accepted."""
        self.record.updated(service, task_definition_arn, deployment_id)

    def progress(self, service: str, line: str) -> None:
        if self._live is not None:
            self._rows[service] = line
            self._live.update(self._table())
        else:
            self.info(f"{service}: {line}")

    def service_event(self, service: str, message: str) -> None:
        self.info(f"{service}: event: {message}", style="dim")

    def verdict(
        self,
        service: str,
        outcome: Outcome,
        reason: str,
        seconds: float,
        forensics: Forensics | None = None,
    ) -> None:
        if self._live is not None:
            self._rows[service] = f"{outcome.value}: {reason}"
            self._live.update(self._table())
        self.info(
            f"{service}: {outcome.value} after {format_duration(seconds)}: {reason}",
            style=_STYLE[outcome.ok],
        )
        if forensics is not None:
            with self.section(f"{service}: why it {outcome.value.replace('_', ' ')}"):
                self._forensics(forensics)

    def _forensics(self, forensics: Forensics) -> None:
        if forensics.stopped_tasks:
            self.info("  stopped tasks of the new revision:")
        for group in forensics.stopped_tasks:
            self.info(f"    {group.count} x {group.describe()}")
            if group.explanation:
                self.info(f"      -> {group.explanation}", style="yellow")
        for tail in forensics.logs:
            self._log_tail(tail)
        for note in forensics.notes:
            self.info(f"  note: {note}")
        for label, url in forensics.links:
            self.info(f"  {label}: {url}")

    def task_result(self, task: TaskResult) -> None:
        """A standalone task's verdict, with exit codes and the failing container's last lines."""
        took = format_duration(task.seconds)
        self.info(
            f"{task.name}: {task.outcome.value} after {took}: {task.reason}",
            style=_STYLE[task.outcome.ok],
        )
        for stopped in task.tasks:
            codes = ", ".join(
                f"{c.name}={c.exit_code if c.exit_code is not None else 'none'}"
                for c in stopped.containers
            )
            ended = stopped.stopped_reason or stopped.last_status
            self.info(f"  task {stopped.task_id}: {ended}; exit codes {codes}")
        for tail in task.logs:
            self._log_tail(tail)

    def result(self, result: RunResult) -> None:
        for task in (*result.pre_tasks, *result.post_tasks):
            if not task.outcome.ok:
                self.error(
                    f"{task.phase}-deploy task {task.name}: {task.outcome.value}: {task.reason}"
                )
        for service in result.services:
            self.info(
                f"{service.name}: {service.outcome.value} "
                f"({revision_of(service.previous_task_definition_arn)} -> "
                f"{revision_of(service.task_definition_arn)})",
                style=_STYLE[service.outcome.ok],
            )
            if service.rollback is not None:
                self.info(
                    f"  rollback to {revision_of(service.rollback.task_definition_arn)}: "
                    f"{service.rollback.outcome.value}: {service.rollback.reason}",
                    style=_STYLE[service.rollback.outcome.ok],
                )
            if service.outcome is Outcome.SKIPPED:
                self.info(f"  {service.reason}")
            elif not service.outcome.ok and service.reason:
                self.error(f"{service.name}: {service.outcome.value}: {_headline(service)}")
        if result.task_definition_arn and not result.services:
            self.info(f"task definition: {result.task_definition_arn}")
        self.info(f"outcome: {result.outcome.value}", style=_STYLE[result.outcome.ok])


def _headline(service: ServiceResult) -> str:
    """The reason, plus the most frequent cause among stopped tasks: what to act on."""
    text = service.reason or ""
    if service.forensics and service.forensics.stopped_tasks:
        top = service.forensics.stopped_tasks[0]
        text += f" ({top.count} x {top.describe()}"
        text += f": {top.explanation})" if top.explanation else ")"
    return text
