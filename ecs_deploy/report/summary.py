"""The job summary: one table row per service, then what needs a person's attention."""

from __future__ import annotations

from ecs_deploy.config.durations import format_duration
from ecs_deploy.report.bluegreen_summary import blue_green_section
from ecs_deploy.results import (
    Forensics,
    LogTail,
    Outcome,
    RunResult,
    ServiceResult,
    TaskResult,
    revision_of,
)

_ICONS = {
    Outcome.SUCCEEDED: "✅",
    Outcome.PLANNED: "📝",
    Outcome.STARTED: "🚀",
    Outcome.UNCHANGED: "⏸",
    Outcome.ROLLED_BACK: "↩️",
    Outcome.READY: "🚦",
}
MAX_EVENTS = 10


def render_summary(result: RunResult) -> str:
    title = "ecs-deploy dry run" if result.dry_run else "ecs-deploy"
    icon = _ICONS.get(result.outcome, "❌")
    lines = [
        f"## {title}: {icon} {result.outcome.value}",
        "",
        f"Cluster: `{cell(result.cluster)}`",
        "",
    ]
    if result.services:
        lines += [
            "| Service | Outcome | Task definition | Previous | Images | Time |",
            "|---|---|---|---|---|---|",
        ]
        lines += [_row(service) for service in result.services]
    elif result.task_definition_arn:
        lines.append(f"Task definition: `{revision_of(result.task_definition_arn)}`")
    tasks = (*result.pre_tasks, *result.post_tasks)
    if tasks:
        lines += ["", "| Task | Phase | Outcome | Exit codes | Time |", "|---|---|---|---|---|"]
        lines += [_task_row(task) for task in tasks]
    for task in tasks:
        if not task.outcome.ok:
            lines += _task_problem(task)
    lines += blue_green_section(result.services)
    problems = [s for s in result.services if not s.outcome.ok]
    if problems:
        lines += ["", "### What went wrong"]
        for service in problems:
            lines += _problem(service)
    if result.notes:
        lines += ["", *[f"> {cell(note)}" for note in result.notes]]
    return "\n".join(lines) + "\n"


def _row(service: ServiceResult) -> str:
    images = "<br>".join(f"{cell(i.container)}: `{cell(i.after)}`" for i in service.images) or "-"
    seconds = format_duration(service.seconds) if service.seconds else "-"
    outcome = f"{_ICONS.get(service.outcome, '❌')} {service.outcome.value}"
    if service.rollback is not None:
        outcome += f" (rollback {service.rollback.outcome.value})"
    return (
        f"| {cell(service.name)} | {outcome} "
        f"| `{revision_of(service.task_definition_arn)}` "
        f"| `{revision_of(service.previous_task_definition_arn)}` "
        f"| {images} | {seconds} |"
    )


def _task_row(task: TaskResult) -> str:
    codes = "<br>".join(
        ", ".join(
            f"{cell(c.name)}={c.exit_code if c.exit_code is not None else 'none'}"
            for c in stopped.containers
        )
        for stopped in task.tasks
    )
    seconds = format_duration(task.seconds) if task.seconds else "-"
    outcome = f"{_ICONS.get(task.outcome, '❌')} {task.outcome.value}"
    return f"| {cell(task.name)} | {task.phase} | {outcome} | {codes or '-'} | {seconds} |"


def _task_problem(task: TaskResult) -> list[str]:
    lines = ["", f"#### {task.phase}-deploy task {cell(task.name)}: {task.outcome.value}", ""]
    lines.append(cell(task.reason))
    for stopped in task.tasks:
        if stopped.stopped_reason:
            lines.append(f"- task `{stopped.task_id}`: {cell(stopped.stopped_reason)}")
    for tail in task.logs:
        lines += _log_tail(tail)
    return lines


def _log_tail(tail: LogTail) -> list[str]:
    lines = ["", f"Last log lines of `{cell(tail.container)}` (task `{tail.task_id}`):"]
    if tail.unavailable:
        return [*lines, f"_{cell(tail.unavailable)}_"]
    # A fence inside the log would end the code block early.
    fenced = [line.replace("```", "'''") for line in tail.lines]
    return [*lines, "```text", *fenced, "```"]


def _problem(service: ServiceResult) -> list[str]:
    lines = [
        "",
        f"#### {cell(service.name)}: {service.outcome.value}",
        "",
        cell(service.reason or ""),
    ]
    if service.rollback is not None:
        lines += [
            "",
            f"Rollback to `{revision_of(service.rollback.task_definition_arn)}`: "
            f"{service.rollback.outcome.value} ({cell(service.rollback.reason)})",
        ]
    if service.forensics is not None:
        lines += _forensics(service.forensics)
    return lines


def _forensics(forensics: Forensics) -> list[str]:
    lines: list[str] = []
    if forensics.stopped_tasks:
        lines += ["", "| Stopped tasks | Cause | What it means |", "|---|---|---|"]
        lines += [
            f"| {g.count} | {cell(g.describe())} | {cell(g.explanation or '')} |"
            for g in forensics.stopped_tasks
        ]
    for tail in forensics.logs:
        lines += _log_tail(tail)
    if forensics.events:
        lines += ["", "<details><summary>Service events since the deployment began</summary>", ""]
        lines += [f"- {cell(event)}" for event in forensics.events[-MAX_EVENTS:]]
        lines += ["", "</details>"]
    lines += [f"- note: {cell(note)}" for note in forensics.notes]
    if forensics.links:
        lines += ["", " · ".join(f"[{cell(label)}]({url})" for label, url in forensics.links)]
    return lines


def cell(text: str) -> str:
    """Table-safe: no pipes or newlines breaking the row."""
    return text.replace("|", "\\|").replace("\n", " ")
