"""Blue/green run rules without AWS: the group's wait in the deadline, what a rollback waits
for, wait-until in a run with rolling services, and `continue` ROLLBACK's exit code."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from ecs_deploy.deploy.bluegreen_planning import wait_until_note
from ecs_deploy.deploy.codedeploy_preflight import (
    MAX_WAIT_SECONDS,
    group_wait_seconds,
    preflight_codedeploy,
)
from ecs_deploy.deploy.rollback import rollback_plan
from ecs_deploy.deploy.started import StartedDeployment
from ecs_deploy.deploy.strategies.codedeploy import CodeDeployTracker
from ecs_deploy.errors import InputError, PreflightError
from ecs_deploy.plan.deployment import DeployPlan, ServicePlan, TaskDefinitionPlan
from ecs_deploy.plan.strategy import CodeDeployPlan, EcsBlueGreenPlan, Strategy
from ecs_deploy.results import Outcome, RunResult, ServiceResult

ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/api:2"


def group(ready: int = 0, termination: int = 0, service: str = "api") -> dict[str, Any]:
    return {
        "ecsServices": [{"clusterName": "demo", "serviceName": service}],
        "blueGreenDeploymentConfiguration": {
            "deploymentReadyOption": {
                "actionOnTimeout": "STOP_DEPLOYMENT",
                "waitTimeInMinutes": ready,
            },
            "terminateBlueInstancesOnDeploymentSuccess": {
                "action": "TERMINATE",
                "terminationWaitTimeInMinutes": termination,
            },
        },
    }


class FakeCodeDeploy:
    def __init__(self, found: dict[str, Any], active: list[str] | None = None) -> None:
        self.found, self.active = found, active or []

    def check_deployment_group(self, application: str, name: str) -> dict[str, Any]:
        return self.found

    def active_deployments(self, application: str, name: str) -> list[str]:
        return self.active


def service_plan(
    name: str = "api", strategy: Strategy = Strategy.CODEDEPLOY, timeout: float = 1800.0
) -> ServicePlan:
    definition = TaskDefinitionPlan("api", {"family": "api"}, None, True)
    codedeploy = (
        CodeDeployPlan("AppECS-demo-api", "DgpECS-demo-api", {}, "generated")
        if strategy is Strategy.CODEDEPLOY
        else None
    )
    return ServicePlan(
        name,
        "demo",
        ARN.replace(":2", ":1"),
        definition,
        False,
        None,
        timeout,
        strategy=strategy,
        codedeploy=codedeploy,
        ecs_blue_green=EcsBlueGreenPlan("BLUE_GREEN")
        if strategy is Strategy.ECS_BLUE_GREEN
        else None,
        wait_until="READY" if strategy is not Strategy.ROLLING else None,
    )


def test_the_group_wait_times_add_to_the_deadline_capped_at_six_hours() -> None:
    assert group_wait_seconds(group(ready=5, termination=60)) == 65 * 60
    plan = DeployPlan("demo", (service_plan(),))
    checked = preflight_codedeploy(plan, FakeCodeDeploy(group(5, 60)))  # type: ignore[arg-type]
    (service,) = checked.services
    assert service.codedeploy is not None and service.codedeploy.group_wait_seconds == 65 * 60
    started = StartedDeployment(service, ARN, True, "d-1", 100.0, datetime.now(UTC))
    assert CodeDeployTracker.of(started, None, False).deadline == 100 + 1800 + 65 * 60
    assert CodeDeployTracker.of(started, 1000.0, False).deadline == 1000 + 65 * 60
    # The whole wait stops at six hours, as the official action's does.
    huge = preflight_codedeploy(plan, FakeCodeDeploy(group(2000, 2000)))  # type: ignore[arg-type]
    spec = huge.services[0].codedeploy
    assert spec is not None and spec.group_wait_seconds == MAX_WAIT_SECONDS - 1800


def test_the_group_must_deploy_this_service_and_be_free() -> None:
    plan = DeployPlan("demo", (service_plan(),))
    with pytest.raises(PreflightError, match="deploys demo/web, not demo/api"):
        preflight_codedeploy(plan, FakeCodeDeploy(group(service="web")))  # type: ignore[arg-type]
    with pytest.raises(PreflightError, match=r"in progress \(d-9\)"):
        preflight_codedeploy(plan, FakeCodeDeploy(group(), ["d-9"]))  # type: ignore[arg-type]


def test_a_rollback_is_watched_to_its_final_verdict() -> None:
    plan = service_plan("web", Strategy.ECS_BLUE_GREEN)
    assert plan.wait_until == "READY"
    started = StartedDeployment(plan, ARN, True, "ecs-svc/1", 0.0, datetime.now(UTC))
    assert rollback_plan(started, ARN.replace(":2", ":1")).wait_until is None


def test_wait_until_is_for_the_blue_green_services_of_the_run() -> None:
    web = service_plan("web", Strategy.ECS_BLUE_GREEN)
    worker = service_plan("worker", Strategy.ROLLING)
    note = wait_until_note(DeployPlan("demo", (web, worker)), "READY")
    assert note is not None and "worker (rolling) will be watched to the final verdict" in note
    assert wait_until_note(DeployPlan("demo", (web,)), "READY") is None
    with pytest.raises(InputError, match="worker deploys rolling"):
        wait_until_note(DeployPlan("demo", (worker,)), "READY")


def test_a_rollback_that_was_asked_for_exits_zero() -> None:
    result = ServiceResult("web", "demo", Outcome.ROLLED_BACK, None, None)
    run = RunResult("demo", (result,), rollback_requested=True)
    assert run.outcome is Outcome.ROLLED_BACK and run.exit_code == 0
    assert dataclasses.replace(run, rollback_requested=False).exit_code == 1
    failed = dataclasses.replace(result, outcome=Outcome.FAILED)
    assert RunResult("demo", (failed,), rollback_requested=True).exit_code == 1
