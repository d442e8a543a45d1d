"""CodeDeploy blue/green through entrypoint.py on the emulator: the group's wait times, rollback
deployments (which can fail), preflight of the group, and an IAM policy without the lifecycle
event calls."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ecs_deploy.emulator import Fault
from tests.e2e.action import ActionRun
from tests.e2e.blue_green_setup import (
    APP,
    GROUP,
    MUTATING,
    REGISTRY,
    codedeploy_service,
    codedeploy_status,
    deploy_api,
    only_deployment,
    wait_for,
)
from tests.e2e.conftest import service_of

SHORT = {"poll-interval": "0.2s", "timeout": "3s"}


def reason_of(run: ActionRun) -> str:
    return str(json.loads(run.outputs["services"])[0]["reason"])


def rollback_of(app: Any, deployment_id: str) -> dict[str, Any]:
    info = app.client("codedeploy").get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    return dict(info.get("rollbackInfo") or {})


# -- finding 1: the termination wait is part of a deployment that went well --------------------
def test_the_termination_wait_is_landed_not_a_timeout(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    # 60 ECS minutes of termination wait last ~24 s here: far past the 3 s timeout.
    codedeploy_service(app, termination_wait=60)
    run = deploy_api(action, **SHORT, rollback="on-failure")
    assert run.exit_code == 0, run.stdout
    assert run.outputs["outcome"] == "succeeded"
    assert "terminating the original task set is pending" in reason_of(run)
    deployment_id = run.outputs["codedeploy-deployment-id"]
    # Not stopped, not rolled back: CodeDeploy is still in its termination wait.
    assert codedeploy_status(app, deployment_id) == "InProgress"
    assert app.calls.count("StopDeployment") == 0
    assert service_of(app, "api")["taskDefinition"] == run.outputs["task-definition-arn"]

    # finding 7: `continue` ends the termination wait (ContinueDeployment TERMINATION_WAIT).
    finished = action({"continue-deployment": deployment_id, "poll-interval": "0.2s"})
    assert finished.exit_code == 0, finished.stdout + finished.stderr
    assert finished.outputs["outcome"] == "succeeded"
    assert codedeploy_status(app, deployment_id) == "Succeeded"


# -- findings 2 and 3: a rollback is a deployment of its own --------------------------------
def test_our_timeout_waits_for_the_rollback_deployment(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    # It waits at Ready (and the group adds no wait time): our timeout comes first.
    codedeploy_service(app, wait_at_ready=True, ready_wait=0)
    run = deploy_api(action, **SHORT, rollback="on-failure")
    assert run.exit_code == 1
    assert run.outputs["outcome"] == "rolled_back", run.stdout
    rollback_id = rollback_of(app, run.outputs["codedeploy-deployment-id"])["rollbackDeploymentId"]
    assert codedeploy_status(app, rollback_id) == "Succeeded"
    assert f"rolled back by deployment {rollback_id}" in reason_of(run)


def test_our_timeout_then_a_failed_rollback_is_a_failure(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    codedeploy_service(app, wait_at_ready=True, ready_wait=0)
    app.faults.fail_codedeploy_rollbacks(APP, GROUP)
    run = deploy_api(action, **SHORT, rollback="on-failure")
    assert run.exit_code == 1
    assert run.outputs["outcome"] == "failed", run.stdout
    assert "stopped with automatic rollback" in reason_of(run)
    assert "rollback failed" in reason_of(run)


def test_an_automatic_rollback_that_fails_is_a_failure(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    codedeploy_service(app, auto_rollback=True)
    app.faults.set_for_image(f"{REGISTRY}:crash", Fault.CRASH)
    app.faults.fail_codedeploy_rollbacks(APP, GROUP)
    run = deploy_api(action, "crash")
    assert run.exit_code == 1
    assert run.outputs["outcome"] == "failed"
    assert "; rollback failed: deployment " in reason_of(run)


# -- finding 4: the group is checked before any change ----------------------------------------
def test_wait_until_ready_needs_a_group_that_stops_at_ready(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    codedeploy_service(app)  # CONTINUE_DEPLOYMENT: Ready would never be waited at
    run = deploy_api(action, **{"wait-until": "ready"})
    assert run.exit_code == 2
    assert "STOP_DEPLOYMENT" in run.stdout
    assert not any(app.calls.count(op) for op in MUTATING)


def test_a_group_that_deploys_another_service_is_refused(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    codedeploy_service(app, group_service="web")
    run = deploy_api(action)
    assert run.exit_code == 2
    assert "deploys demo/web, not demo/api" in run.stdout
    assert not any(app.calls.count(op) for op in MUTATING)


def test_a_deployment_in_flight_in_the_group_is_refused(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    codedeploy_service(app, wait_at_ready=True)
    first = deploy_api(action, **{"wait-until": "ready"})
    assert first.outputs["outcome"] == "ready"
    app.calls.clear()
    run = deploy_api(action, "3.0")
    assert run.exit_code == 2
    assert f"has a deployment in progress ({only_deployment(app)})" in run.stdout
    assert not any(app.calls.count(op) for op in (*MUTATING, "RunTask"))


# -- finding 6: an IAM policy without ListDeploymentTargets ------------------------------------
def test_lifecycle_events_denied_still_gives_a_verdict(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    codedeploy_service(app)
    app.faults.deny("codedeploy", "ListDeploymentTargets")
    run = deploy_api(action)
    assert run.exit_code == 0, run.stdout + run.stderr
    assert run.outputs["outcome"] == "succeeded"
    assert run.stdout.count("lifecycle events unavailable") == 1
    wait_for(lambda: codedeploy_status(app, only_deployment(app)) == "Succeeded", "success")
