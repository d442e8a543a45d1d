"""The job summary: one table row per service, then what needs a person's attention."""

from __future__ import annotations

from ecs_deploy.config.durations import format_duration
from ecs_deploy.results import Outcome, RunResult, ServiceResult

_ICONS = {
    Outcome.SUCCEEDED: "✅",
    Outcome.PLANNED: "📝",
    Outcome.STARTED: "🚀",
    Outcome.UNCHANGED: "⏸",
}


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
    problems = [s for s in result.services if not s.outcome.ok and s.reason]
    if problems:
        lines += ["", "### What went wrong", ""]
        lines += [
            f"- **{_cell(s.name)}** ({s.outcome.value}): {_cell(s.reason or '')}" for s in problems
        ]
    if result.notes:
        lines += ["", *[f"> {_cell(note)}" for note in result.notes]]
    return "\n".join(lines) + "\n"


def _row(service: ServiceResult) -> str:
    images = "<br>".join(f"{_cell(i.container)}: `{_cell(i.after)}`" for i in service.images) or "-"
    seconds = format_duration(service.seconds) if service.seconds else "-"
    return (
        f"| {_cell(service.name)} | {_ICONS.get(service.outcome, '❌')} {service.outcome.value} "
        f"| `{_revision(service.task_definition_arn)}` "
        f"| `{_revision(service.previous_task_definition_arn)}` "
        f"| {images} | {seconds} |"
    )


def _revision(arn: str | None) -> str:
    return arn.rsplit("/", 1)[-1] if arn else "-"


def _cell(text: str) -> str:
    """Table-safe: no pipes or newlines breaking the row."""
    return text.replace("|", "\\|").replace("\n", " ")
