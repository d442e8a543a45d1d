"""Plan a service's strategy: rolling, ECS-native blue/green or CodeDeploy. Nothing changes here.

Everything a blue/green deployment needs is checked before the first change: the controller
and `mode` agree, the AppSpec reads, `wait-until` makes sense for the strategy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ecs_deploy.config.bluegreen import LIFECYCLE_STAGES, WAIT_UNTIL_READY, CodeDeploySpec
from ecs_deploy.config.documents import load_document
from ecs_deploy.config.settings import ServiceSpec
from ecs_deploy.errors import InputError, PreflightError
from ecs_deploy.plan.appspec import check_appspec, generated_appspec
from ecs_deploy.plan.deployment import DeployPlan
from ecs_deploy.plan.strategy import (
    CodeDeployPlan,
    EcsBlueGreenPlan,
    Strategy,
    choose_strategy,
    ecs_blue_green_plan,
)

# `wait-until: ready` for ECS-native blue/green: test traffic reaches the new revision.
ECS_READY_STAGE = "POST_TEST_TRAFFIC_SHIFT"


@dataclass(frozen=True, slots=True)
class StrategyPlan:
    strategy: Strategy
    codedeploy: CodeDeployPlan | None = None
    ecs_blue_green: EcsBlueGreenPlan | None = None
    wait_until: str | None = None


def plan_strategy(
    spec: ServiceSpec, service: Mapping[str, Any], cluster: str, wait_until: str | None
) -> StrategyPlan:
    strategy = choose_strategy(spec.name, service, spec.mode.value)
    if strategy is Strategy.CODEDEPLOY:
        if spec.desired_count is not None:
            raise InputError(
                f"service '{spec.name}' is deployed by CodeDeploy: desired-count cannot be "
                "changed in the same run (CodeDeploy keeps the original task set's count)"
            )
        if wait_until not in (None, WAIT_UNTIL_READY):
            raise InputError(
                f"wait-until: {wait_until} is an ECS lifecycle stage, but service "
                f"'{spec.name}' is deployed by CodeDeploy; use wait-until: ready"
            )
        return StrategyPlan(
            strategy, codedeploy=_codedeploy(spec, service, cluster), wait_until=wait_until
        )
    if strategy is Strategy.ECS_BLUE_GREEN:
        stage = ECS_READY_STAGE if wait_until == WAIT_UNTIL_READY else wait_until
        return StrategyPlan(strategy, ecs_blue_green=ecs_blue_green_plan(service), wait_until=stage)
    # wait-until is for blue/green services: a rolling one is watched to its verdict.
    return StrategyPlan(strategy)


def wait_until_note(plan: DeployPlan, wait_until: str | None) -> str | None:
    """What wait-until means for this run's services, for the log; an InputError where it
    applies to none of them (then it is a mistake, not a choice)."""
    if wait_until is None:
        return None
    rolling = [s.name for s in plan.services if s.strategy is Strategy.ROLLING]
    if not rolling:
        return None
    if len(rolling) == len(plan.services):
        raise InputError(
            f"wait-until applies to blue/green deployments; {', '.join(rolling)} "
            f"deploy{'s' if len(rolling) == 1 else ''} rolling (set "
            "deploymentConfiguration.strategy or use CodeDeploy)"
        )
    return (
        f"wait-until applies to the blue/green services only; {', '.join(rolling)} "
        "(rolling) will be watched to the final verdict"
    )


def _codedeploy(spec: ServiceSpec, service: Mapping[str, Any], cluster: str) -> CodeDeployPlan:
    settings = spec.codedeploy
    cluster_name = cluster.rsplit("/", 1)[-1]
    appspec, source = _appspec(settings, spec.name, service)
    return CodeDeployPlan(
        application=settings.application or f"AppECS-{cluster_name}-{spec.name}",
        deployment_group=settings.deployment_group or f"DgpECS-{cluster_name}-{spec.name}",
        appspec=appspec,
        appspec_source=source,
        description=settings.description,
        deployment_config=settings.deployment_config,
        container_name=settings.container_name,
        container_port=settings.container_port,
    )


def _appspec(
    settings: CodeDeploySpec, name: str, service: Mapping[str, Any]
) -> tuple[dict[str, Any], str]:
    path = settings.appspec
    if path is not None and path.is_file():
        document = load_document(path, what="AppSpec file")
        return check_appspec(document.data, str(path)), str(path)
    if settings.appspec_required:
        raise InputError(f"AppSpec file {path} not found (codedeploy-appspec)")
    # No file: build one from the service, as a person would write it.
    load_balancers = [lb for lb in service.get("loadBalancers") or () if lb.get("containerName")]
    container = settings.container_name or (
        str(load_balancers[0]["containerName"]) if load_balancers else None
    )
    port = settings.container_port or (
        int(load_balancers[0]["containerPort"])
        if load_balancers and load_balancers[0].get("containerPort") is not None
        else None
    )
    if container is None or port is None:
        raise PreflightError(
            f"service '{name}' has no AppSpec file ({path.name if path else 'appspec.yaml'}) "
            "and no load balancer to build one from: add the file, or give "
            "codedeploy-container-name and codedeploy-container-port"
        )
    return generated_appspec(container, port), "generated from the service's load balancer"


__all__ = [
    "ECS_READY_STAGE",
    "LIFECYCLE_STAGES",
    "StrategyPlan",
    "plan_strategy",
    "wait_until_note",
]
