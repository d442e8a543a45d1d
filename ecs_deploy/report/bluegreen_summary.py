"""The job summary's blue/green section: deployment id and link, traffic, lifecycle events."""

from __future__ import annotations

from collections.abc import Sequence

from ecs_deploy.plan.deployment import ServicePlan
from ecs_deploy.results import BlueGreenResult, ServiceResult

_STRATEGY_NAMES = {"codedeploy": "CodeDeploy blue/green", "ecs_blue_green": "ECS blue/green"}


def blue_green_section(services: Sequence[ServiceResult]) -> list[str]:
    lines: list[str] = []
    for service in services:
        if service.blue_green is not None:
            lines += _service(service.name, service.blue_green)
    return (["", "### Blue/green", *lines]) if lines else []


def _service(name: str, result: BlueGreenResult) -> list[str]:
    kind = _STRATEGY_NAMES.get(result.strategy, result.strategy)
    deployment = result.deployment_arn or result.deployment_id
    ident = f"`{_cell(deployment)}`" if deployment else "-"
    if result.link:
        ident += f" ([console]({result.link}))"
    lines = ["", f"#### {_cell(name)}: {kind}", "", f"- Deployment: {ident}"]
    if result.status:
        lines.append(f"- Status: {_cell(result.status)}")
    if result.stage:
        lines.append(f"- Lifecycle stage: {_cell(result.stage)}")
    if result.traffic:
        lines.append(f"- Traffic: {_cell(result.traffic)}")
    if result.hook_id:
        lines.append(
            f"- Paused at PAUSE hook `{_cell(result.hook_id)}`: finish it with "
            "`ecs-deploy continue` or the `continue-deployment` input"
        )
    if result.lifecycle:
        lines += ["", "| Lifecycle event | Status |", "|---|---|"]
        lines += [f"| {_cell(event)} | {_cell(status)} |" for event, status in result.lifecycle]
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def strategy_line(service: ServicePlan) -> str | None:
    """For the plan: how a blue/green service will be deployed; None for rolling."""
    if service.codedeploy is not None:
        spec = service.codedeploy
        return (
            f"  strategy: CodeDeploy ({spec.application} / {spec.deployment_group}; "
            f"AppSpec: {spec.appspec_source})"
        )
    if service.ecs_blue_green is not None:
        plan = service.ecs_blue_green
        pauses = f"; PAUSE hooks at {', '.join(plan.pause_stages)}" if plan.pause_stages else ""
        bake = f"; bake {plan.bake_minutes} min" if plan.bake_minutes else ""
        return f"  strategy: ECS {plan.strategy}{bake}{pauses}"
    return None
