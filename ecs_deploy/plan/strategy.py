"""How a service is deployed: decided by its deployment controller and strategy. Pure.

ECS controller: rolling, or ECS-native blue/green (also linear and canary) when the service's
deploymentConfiguration.strategy says so. CODE_DEPLOY controller: a CodeDeploy deployment.
EXTERNAL: refused before any change (another tool owns the task sets).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ecs_deploy.errors import InputError, PreflightError


class Strategy(StrEnum):
    ROLLING = "rolling"
    ECS_BLUE_GREEN = "ecs_blue_green"  # ECS's own BLUE_GREEN, LINEAR or CANARY
    CODEDEPLOY = "codedeploy"


# What a user may state as `mode`, and the strategies each allows.
_MODE_ALLOWS = {
    "auto": frozenset(Strategy),
    "ecs": frozenset({Strategy.ROLLING, Strategy.ECS_BLUE_GREEN}),
    "rolling": frozenset({Strategy.ROLLING, Strategy.ECS_BLUE_GREEN}),  # the old name of ecs
    "codedeploy": frozenset({Strategy.CODEDEPLOY}),
}
_ECS_TRAFFIC_STRATEGIES = frozenset({"BLUE_GREEN", "LINEAR", "CANARY"})


@dataclass(frozen=True, slots=True)
class CodeDeployPlan:
    application: str
    deployment_group: str
    appspec: Mapping[str, Any]  # parsed; TaskDefinition is filled in once it is registered
    appspec_source: str  # the file, or how it was generated: for the plan and errors
    description: str | None = None
    deployment_config: str | None = None
    container_name: str | None = None
    container_port: int | None = None
    # The group's Ready wait plus termination wait (capped): added to the timeout, as the
    # official action does; known once the group is read (preflight).
    group_wait_seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class EcsBlueGreenPlan:
    strategy: str  # BLUE_GREEN, LINEAR or CANARY
    bake_minutes: int | None = None
    pause_stages: tuple[str, ...] = ()  # stages with a PAUSE lifecycle hook


def choose_strategy(service_name: str, service: Mapping[str, Any], mode: str = "auto") -> Strategy:
    """The strategy the service's controller implies; a `mode` that disagrees is an error."""
    controller = str((service.get("deploymentController") or {}).get("type") or "ECS")
    if controller == "EXTERNAL":
        raise PreflightError(
            f"service '{service_name}' uses the EXTERNAL deployment controller: its task sets "
            "are managed outside ECS and CodeDeploy, so this action cannot deploy it; "
            "nothing was changed"
        )
    if controller == "CODE_DEPLOY":
        strategy = Strategy.CODEDEPLOY
    elif controller == "ECS":
        configured = str((service.get("deploymentConfiguration") or {}).get("strategy") or "")
        strategy = (
            Strategy.ECS_BLUE_GREEN if configured in _ECS_TRAFFIC_STRATEGIES else Strategy.ROLLING
        )
    else:
        raise PreflightError(
            f"service '{service_name}' uses the unknown deployment controller {controller}"
        )
    if strategy not in _MODE_ALLOWS[mode]:
        raise InputError(
            f"service '{service_name}': mode is {mode} but the service uses the {controller} "
            f"deployment controller ({strategy.value}); set mode to "
            f"{'codedeploy' if strategy is Strategy.CODEDEPLOY else 'ecs'} or auto"
        )
    return strategy


def ecs_blue_green_plan(service: Mapping[str, Any]) -> EcsBlueGreenPlan:
    """What waiting needs to know of an ECS-native blue/green service's configuration."""
    configuration = service.get("deploymentConfiguration") or {}
    pauses: list[str] = []
    for hook in configuration.get("lifecycleHooks") or ():
        if hook.get("targetType") == "PAUSE":
            pauses.extend(str(stage) for stage in hook.get("lifecycleStages") or ())
    bake = configuration.get("bakeTimeInMinutes")
    return EcsBlueGreenPlan(
        strategy=str(configuration.get("strategy")),
        bake_minutes=int(bake) if bake is not None else None,
        pause_stages=tuple(pauses),
    )
