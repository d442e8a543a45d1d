"""What a person reads while the run goes: the plan, progress, verdicts and errors.

On a terminal, rich colours; in CI, plain timestamped lines; on GitHub, grouped with
::group:: and failures raised as annotations. Values of environment entries and secrets never
reach this module unmasked (the plan's diff masks them).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TextIO

from rich.console import Console
from rich.text import Text

from ecs_deploy.config.durations import format_duration
from ecs_deploy.errors import SourceLocation
from ecs_deploy.plan.deployment import DeployPlan, TaskDefinitionPlan
from ecs_deploy.report.commands import annotation
from ecs_deploy.results import Outcome, RunResult

_STYLE = {True: "green", False: "red"}


class Reporter:
    def __init__(
        self, *, in_actions: bool, out: TextIO | None = None, err: TextIO | None = None
    ) -> None:
        self._in_actions = in_actions
        self._out = out or sys.stdout
        self._err = err or sys.stderr
        self._console = Console(file=self._out, highlight=False, soft_wrap=True)
        self._timestamps = not self._console.is_terminal

    # -- plain lines -------------------------------------------------------------------------
    def info(self, message: str, style: str | None = None) -> None:
        prefix = f"{datetime.now():%H:%M:%S} " if self._timestamps else ""
        self._console.print(Text(prefix + message, style=style or ""))

    def warning(self, message: str, location: SourceLocation | None = None) -> None:
        if self._in_actions:
            self._raw(annotation("warning", message, location))
        else:
            self.info(f"warning: {message}", style="yellow")

    def error(self, message: str, location: SourceLocation | None = None) -> None:
        """One line on stderr (or one annotation on GitHub): never a traceback."""
        if self._in_actions:
            self._raw(annotation("error", message, location))
        else:
            where = f"{location}: " if location else ""
            print(f"error: {where}{message}", file=self._err, flush=True)

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
        for service in plan.services:
            action = "update" if service.needs_update else "no change"
            reasons = [
                reason
                for reason, present in (
                    ("new task definition", service.task_definition.changed),
                    ("forced", service.force_new_deployment),
                    (f"desired count {service.desired_count}", service.desired_count is not None),
                )
                if present
            ]
            detail = f" ({', '.join(reasons)})" if reasons else ""
            self.info(f"service {service.name}: {action}{detail}", style="bold")
            self.info(f"  current: {_revision(service.current_task_definition_arn)}")
            self._task_definition(service.task_definition)
        if plan.register_only is not None:
            self.info(f"task definition {plan.register_only.family}", style="bold")
            self._task_definition(plan.register_only)

    def _task_definition(self, plan: TaskDefinitionPlan) -> None:
        for image in plan.images:
            self.info(f"  {image.container}: {image.before} -> {image.after}")
        if plan.dropped_keys:
            self.warning(
                f"{plan.family}: dropped keys RegisterTaskDefinition does not accept: "
                + ", ".join(plan.dropped_keys)
            )
        if not plan.changed:
            self.info(f"  task definition unchanged: reusing {_revision(plan.live_arn)}")
        for line in plan.diff:
            style = "green" if line.startswith("+") else "red" if line.startswith("-") else None
            self.info(f"  {line}", style=style)

    def progress(self, service: str, line: str) -> None:
        self.info(f"{service}: {line}")

    def service_event(self, service: str, message: str) -> None:
        self.info(f"{service}: event: {message}", style="dim")

    def verdict(self, service: str, outcome: Outcome, reason: str, seconds: float) -> None:
        self.info(
            f"{service}: {outcome.value} after {format_duration(seconds)}: {reason}",
            style=_STYLE[outcome.ok],
        )

    def result(self, result: RunResult) -> None:
        for service in result.services:
            self.info(
                f"{service.name}: {service.outcome.value} "
                f"({_revision(service.previous_task_definition_arn)} -> "
                f"{_revision(service.task_definition_arn)})",
                style=_STYLE[service.outcome.ok],
            )
            if not service.outcome.ok and service.reason:
                self.error(f"{service.name}: {service.outcome.value}: {service.reason}")
        if result.task_definition_arn and not result.services:
            self.info(f"task definition: {result.task_definition_arn}")
        self.info(f"outcome: {result.outcome.value}", style=_STYLE[result.outcome.ok])


def _revision(arn: str | None) -> str:
    return arn.rsplit("/", 1)[-1] if arn else "-"
