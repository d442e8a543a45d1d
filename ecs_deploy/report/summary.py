"""The job summary: one table row per service, then what needs a person's attention."""

from __future__ import annotations

from ecs_deploy.config.durations import format_duration
from ecs_deploy.results import Forensics, Outcome, RunResult, ServiceResult

_ICONS = {
    Outcome.SUCCEEDED: "✅",
    Outcome.PLANNED: "📝",
    Outcome.STARTED: "🚀",
    Outcome.UNCHANGED: "⏸",
    Outcome.ROLLED_BACK: "↩️",
}
MAX_EVENTS = 10


def render_summary(result: RunResult) -> str:
    title = "ecs-deploy dry run" if result.dry_run else "ecs-deploy"
    icon = _ICONS.get(result.outcome, "❌")
    lines = [
        f"## {title}: {icon} {result.outcome.value}",
        "",
        f"Cluster: `{_cell(result.cluster)}`",
        "",
    ]
    if result.services:
        lines += [
            "| Service | Outcome | Task definition | Previous | Images | Time |",
            "|---|---|---|---|---|---|",
        ]
        lines += [_row(service) for service in result.services]
    elif result.task_definition_arn:
        lines.append(f"Task definition: `{_revision(result.task_definition_arn)}`")
    problems = [s for s in result.services if not s.outcome.ok]
    if problems:
        lines += ["", "### What went wrong"]
        for service in problems:
            lines += _problem(service)
    if result.notes:
        lines += ["", *[f"> {_cell(note)}" for note in result.notes]]
    return "\n".join(lines) + "\n"


def _row(service: ServiceResult) -> str:
    images = "<br>".join(f"{_cell(i.container)}: `{_cell(i.after)}`" for i in service.images) or "-"
    seconds = format_duration(service.seconds) if service.seconds else "-"
    outcome = f"{_ICONS.get(service.outcome, '❌')} {service.outcome.value}"
    if service.rollback is not None:
        outcome += f" (rollback {service.rollback.outcome.value})"
    return (
        f"| {_cell(service.name)} | {outcome} "
        f"| `{_revision(service.task_definition_arn)}` "
        f"| `{_revision(service.previous_task_definition_arn)}` "
        f"| {images} | {seconds} |"
    )


def _problem(service: ServiceResult) -> list[str]:
    lines = [
        "",
        f"#### {_cell(service.name)}: {service.outcome.value}",
        "",
        _cell(service.reason or ""),
    ]
    if service.rollback is not None:
        lines += [
            "",
            f"Rollback to `{_revision(service.rollback.task_definition_arn)}`: "
            f"{service.rollback.outcome.value} ({_cell(service.rollback.reason)})",
        ]
    if service.forensics is not None:
        lines += _forensics(service.forensics)
    return lines


def _forensics(forensics: Forensics) -> list[str]:
    lines: list[str] = []
    if forensics.stopped_tasks:
        lines += ["", "| Stopped tasks | Cause | What it means |", "|---|---|---|"]
        lines += [
            f"| {g.count} | {_cell(g.describe())} | {_cell(g.explanation or '')} |"
            for g in forensics.stopped_tasks
        ]
    for tail in forensics.logs:
        lines += ["", f"Last log lines of `{_cell(tail.container)}` (task `{tail.task_id}`):"]
        if tail.unavailable:
            lines.append(f"_{_cell(tail.unavailable)}_")
        else:
            lines += ["```text", *(line.replace("```", "'''") for line in tail.lines), "```"]
    if forensics.events:
        lines += ["", "<details><summary>Service events since the deployment began</summary>", ""]
        lines += [f"- {_cell(event)}" for event in forensics.events[-MAX_EVENTS:]]
        lines += ["", "</details>"]
    lines += [f"- note: {_cell(note)}" for note in forensics.notes]
    if forensics.links:
        lines += ["", " · ".join(f"[{_cell(label)}]({url})" for label, url in forensics.links)]
    return lines


def _revision(arn: str | None) -> str:
    return arn.rsplit("/", 1)[-1] if arn else "-"


def _cell(text: str) -> str:
    """Table-safe: no pipes or newlines breaking the row."""
    return text.replace("|", "\\|").replace("\n", " ")
