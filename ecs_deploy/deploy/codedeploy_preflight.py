"""Read-only checks of each CodeDeploy service's deployment group, before any change.

The group must exist, deploy this very service (a mistyped group name would deploy another
one), have no deployment in flight (CodeDeploy would refuse ours after the task definition
was registered and the migrations ran), and stop at Ready when `wait-until: ready` is asked.
Its wait times are kept for the deadline.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from ecs_deploy.aws.codedeploy import CodeDeployApi
from ecs_deploy.config.bluegreen import WAIT_UNTIL_READY
from ecs_deploy.errors import AccessDenied, DeployError, PreflightError
from ecs_deploy.plan.deployment import DeployPlan, ServicePlan
from ecs_deploy.plan.strategy import CodeDeployPlan

MAX_WAIT_SECONDS = 6 * 60 * 60  # the official action's cap on its whole wait


def preflight_codedeploy(
    plan: DeployPlan, codedeploy: CodeDeployApi | None, warn: Callable[[str], None] = lambda _: None
) -> DeployPlan:
    """The plan with each CodeDeploy service's group wait filled in; PreflightError if unfit."""
    services = []
    for service in plan.services:
        spec = service.codedeploy
        if spec is not None and service.needs_update:
            if codedeploy is None:
                raise DeployError(f"{service.name}: CodeDeploy is needed but no client was given")
            service = _checked(service, spec, codedeploy, warn)
        services.append(service)
    return dataclasses.replace(plan, services=tuple(services))


def _checked(
    service: ServicePlan,
    spec: CodeDeployPlan,
    codedeploy: CodeDeployApi,
    warn: Callable[[str], None],
) -> ServicePlan:
    group = codedeploy.check_deployment_group(spec.application, spec.deployment_group)
    where = f"deployment group '{spec.deployment_group}' (application '{spec.application}')"
    cluster = service.cluster.rsplit("/", 1)[-1]
    targets = [
        (str(ref.get("clusterName", "")).rsplit("/", 1)[-1], str(ref.get("serviceName", "")))
        for ref in group.get("ecsServices") or ()
    ]
    if (cluster, service.name) not in targets:
        deploys = ", ".join(f"{c}/{s}" for c, s in targets) or "no ECS service"
        raise PreflightError(
            f"service '{service.name}': {where} deploys {deploys}, not {cluster}/{service.name}; "
            "check codedeploy-application and codedeploy-deployment-group; nothing was changed"
        )
    ready = _ready_option(group)
    if service.wait_until == WAIT_UNTIL_READY and ready.get("actionOnTimeout") != "STOP_DEPLOYMENT":
        raise PreflightError(
            f"service '{service.name}': wait-until: ready needs {where} to stop at Ready "
            "(deploymentReadyOption.actionOnTimeout STOP_DEPLOYMENT); it is "
            f"{ready.get('actionOnTimeout') or 'CONTINUE_DEPLOYMENT'}, so traffic would move to "
            "production without waiting; nothing was changed"
        )
    try:
        active = codedeploy.active_deployments(spec.application, spec.deployment_group)
    except AccessDenied as exc:
        # CreateDeployment refuses a second deployment of the group itself.
        warn(f"{exc}; not checked whether {where} has a deployment in progress")
        active = []
    if active:
        raise PreflightError(
            f"service '{service.name}': {where} has a deployment in progress "
            f"({', '.join(active)}); finish or stop it first; nothing was changed"
        )
    extra = min(group_wait_seconds(group), max(0.0, MAX_WAIT_SECONDS - service.timeout_seconds))
    return dataclasses.replace(
        service, codedeploy=dataclasses.replace(spec, group_wait_seconds=extra)
    )


def group_wait_seconds(group: Mapping[str, Any]) -> float:
    """deploymentReadyOption.waitTimeInMinutes + the termination wait, in seconds."""
    config = group.get("blueGreenDeploymentConfiguration") or {}
    ready = _ready_option(group).get("waitTimeInMinutes") or 0
    terminate = (config.get("terminateBlueInstancesOnDeploymentSuccess") or {}).get(
        "terminationWaitTimeInMinutes"
    ) or 0
    return float(ready + terminate) * 60.0


def _ready_option(group: Mapping[str, Any]) -> Mapping[str, Any]:
    config = group.get("blueGreenDeploymentConfiguration") or {}
    return config.get("deploymentReadyOption") or {}
