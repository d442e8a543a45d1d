"""Blue/green through entrypoint.py on the emulator: CodeDeploy, ECS-native, pause, continue."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ecs_deploy.emulator import Fault
from tests.e2e.action import REPO, ActionRun, BackgroundRun
from tests.e2e.blue_green_setup import (
    APP,
    FAST,
    GROUP,
    MUTATING,
    PAUSE_AT_TEST_TRAFFIC,
    REGISTRY,
    codedeploy_service,
    codedeploy_status,
    deploy_api,
    deploy_web,
    make_blue_green,
    only_deployment,
    sent_appspec,
    wait_for,
)
from tests.e2e.conftest import service_of


def test_codedeploy_success_with_a_generated_appspec(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    codedeploy_service(app)
    run = deploy_api(action)
    assert run.exit_code == 0, run.stdout + run.stderr
    assert run.outputs["outcome"] == "succeeded"
    deployment_id = run.outputs["codedeploy-deployment-id"]
    assert deployment_id == only_deployment(app)
    new_arn = run.outputs["task-definition-arn"]
    assert service_of(app, "api")["taskDefinition"] == new_arn
    # No appspec.yaml in the workspace: built from the service's load balancer.
    appspec, content = sent_appspec(app, deployment_id)
    properties = appspec["Resources"][0]["TargetService"]["Properties"]
    assert properties["TaskDefinition"] == new_arn
    assert properties["LoadBalancerInfo"] == {"ContainerName": "app", "ContainerPort": 8080}
    assert len(content["sha256"]) == 64
    # Lifecycle events as they pass, and the blue/green specifics in the summary.
    assert "lifecycle event AllowTraffic: Succeeded" in run.stdout
    assert "CodeDeploy blue/green" in run.summary
    assert f"`{deployment_id}`" in run.summary
    assert "codesuite/codedeploy/deployments/" in run.summary
    assert "| AfterAllowTraffic | Succeeded |" in run.summary
    assert "Traffic: production: replacement task set" in run.summary
    assert "hunter2-do-not-print" not in run.stdout + run.summary + json.dumps(run.outputs)
    assert app.calls.count("UpdateService") == 0


def test_codedeploy_failure_explains_error_information(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    before = codedeploy_service(app)
    app.faults.fail_codedeploy(APP, GROUP)
    run = deploy_api(action)
    assert run.exit_code == 1
    assert run.outputs["outcome"] == "failed"
    [service] = json.loads(run.outputs["services"])
    assert "ECS_UPDATE_ERROR" in service["reason"]
    assert "| Install | Failed |" in run.summary
    assert service_of(app, "api")["taskDefinition"] == before


def test_codedeploy_failure_with_auto_rollback_is_rolled_back(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    codedeploy_service(app, auto_rollback=True)
    app.faults.set_for_image(f"{REGISTRY}:crash", Fault.CRASH)
    run = deploy_api(action, "crash")
    assert run.exit_code == 1
    assert run.outputs["outcome"] == "rolled_back"
    assert "Automatic rollback triggered" in json.loads(run.outputs["services"])[0]["reason"]


def test_codedeploy_stopped_by_someone(
    app: Any, start_action: Callable[..., BackgroundRun]
) -> None:
    codedeploy_service(app, wait_at_ready=True)
    background = start_action(
        {
            "service": "api",
            "cluster": "demo",
            "task-definition": "taskdefs/web.json",
            "container-name": "app",
            "image-tag": "2.0",
            **FAST,
        }
    )
    codedeploy = app.client("codedeploy")
    wait_for(lambda: bool(codedeploy.list_deployments()["deployments"]), "the deployment")
    deployment_id = only_deployment(app)
    wait_for(lambda: codedeploy_status(app, deployment_id) == "Ready", "Ready")
    codedeploy.stop_deployment(deploymentId=deployment_id, autoRollbackEnabled=True)
    run = background.wait()
    assert run.exit_code == 1
    assert run.outputs["outcome"] == "rolled_back"
    reason = json.loads(run.outputs["services"])[0]["reason"]
    assert "stopped" in reason and "Rollback triggered by a request" in reason


def test_wait_until_ready_then_continue(app: Any, action: Callable[..., ActionRun]) -> None:
    codedeploy_service(app, wait_at_ready=True)
    run = deploy_api(action, **{"wait-until": "ready"})
    assert run.exit_code == 0, run.stdout
    assert run.outputs["outcome"] == "ready"
    deployment_id = run.outputs["codedeploy-deployment-id"]
    assert codedeploy_status(app, deployment_id) == "Ready"
    assert "Traffic: test: replacement task set; production: original task set" in run.summary

    finished = action({"continue-deployment": deployment_id, **FAST})
    assert finished.exit_code == 0, finished.stdout + finished.stderr
    assert finished.outputs["outcome"] == "succeeded"
    assert codedeploy_status(app, deployment_id) == "Succeeded"
    assert service_of(app, "api")["taskDefinition"] == run.outputs["task-definition-arn"]


ODD_CASE_YAML = """\
version: 0.0
resources:
  - targetService:
      TYPE: AWS::ECS::Service
      properties:
        taskdefinition: "<filled in>"
        loadbalancerinfo:
          containername: app
          containerPORT: 80
"""
ODD_CASE_JSON = json.dumps(
    {
        "Version": 0.0,
        "RESOURCES": [
            {
                "TargetService": {
                    "Type": "AWS::ECS::Service",
                    "Properties": {
                        "TASKDEFINITION": "x",
                        "LoadBalancerInfo": {"ContainerName": "a"},
                    },
                }
            }
        ],
    }
)


@pytest.mark.parametrize(
    ("file_name", "text", "name_key", "port_key"),
    [
        ("appspec.yaml", ODD_CASE_YAML, "containername", "containerPORT"),
        ("deploy/appspec.json", ODD_CASE_JSON, "ContainerName", "ContainerPort"),
    ],
    ids=["yaml", "json"],
)
def test_appspec_from_a_file_keeps_its_key_case_and_fills_container(
    app: Any,
    action: Callable[..., ActionRun],
    workspace: Path,
    file_name: str,
    text: str,
    name_key: str,
    port_key: str,
) -> None:
    (workspace / file_name).parent.mkdir(exist_ok=True)
    (workspace / file_name).write_text(text)
    codedeploy_service(app)
    inputs = {"codedeploy-container-name": "app", "codedeploy-container-port": "8080"}
    if file_name != "appspec.yaml":
        inputs["codedeploy-appspec"] = file_name
    run = deploy_api(action, **inputs, **{"codedeploy-deployment-description": "release 2.0"})
    assert run.exit_code == 0, run.stdout + run.stderr
    appspec, _ = sent_appspec(app, run.outputs["codedeploy-deployment-id"])
    resources = next(v for k, v in appspec.items() if k.lower() == "resources")
    properties = next(iter(resources[0].values()))
    properties = next(v for k, v in properties.items() if k.lower() == "properties")
    task_key = next(k for k in properties if k.lower() == "taskdefinition")
    assert properties[task_key] == run.outputs["task-definition-arn"]
    info = next(v for k, v in properties.items() if k.lower() == "loadbalancerinfo")
    assert info == {name_key: "app", port_key: 8080}


def test_a_missing_named_appspec_is_bad_input_before_any_change(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    codedeploy_service(app)
    run = deploy_api(action, **{"codedeploy-appspec": "nope/appspec.yaml"})
    assert run.exit_code == 2
    assert "AppSpec file" in run.stdout
    assert not any(app.calls.count(op) for op in MUTATING)


def test_a_missing_deployment_group_is_refused_before_any_change(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    codedeploy_service(app)
    run = deploy_api(action, **{"codedeploy-deployment-group": "DgpECS-other"})
    assert run.exit_code == 2
    assert "deployment group 'DgpECS-other' not found" in run.stdout
    assert not any(app.calls.count(op) for op in MUTATING)


# -- controllers and mode ----------------------------------------------------------------------
def test_external_controller_is_refused_with_no_change(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    web = service_of(app, "web")
    app.client("ecs").create_service(
        cluster="demo",
        serviceName="ext",
        taskDefinition=web["taskDefinition"],
        desiredCount=1,
        deploymentController={"type": "EXTERNAL"},
    )
    app.calls.clear()
    run = action(
        {"service": "ext", "cluster": "demo", "task-definition": "taskdefs/web.json", **FAST}
    )
    assert run.exit_code == 2
    assert "EXTERNAL deployment controller" in run.stdout
    assert not any(app.calls.count(op) for op in MUTATING)


def test_mode_that_disagrees_with_the_controller_is_refused(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    run = action(
        {"config": ".ecs-deploy.yml", "service": "web", "image-tag": "2.0", "mode": "codedeploy"}
    )
    assert run.exit_code == 2
    assert "mode is codedeploy but the service uses the ECS deployment controller" in run.stdout
    assert not any(app.calls.count(op) for op in MUTATING)


# -- ECS-native blue/green ---------------------------------------------------------------------
def test_ecs_blue_green_success_shows_stages(app: Any, action: Callable[..., ActionRun]) -> None:
    make_blue_green(app)
    run = deploy_web(action, "2.0")
    assert run.exit_code == 0, run.stdout
    assert run.outputs["outcome"] == "succeeded"
    assert "entered lifecycle stage BAKE_TIME" in run.stdout
    assert "stage BAKE_TIME (1 min bake)" in run.stdout
    assert run.outputs["deployment-arn"].startswith("arn:aws:ecs:us-east-1:")
    assert "ECS blue/green" in run.summary
    assert "| PRODUCTION_TRAFFIC_SHIFT | entered |" in run.summary
    assert "Traffic: production: green" in run.summary
    assert service_of(app, "web")["taskDefinition"] == run.outputs["task-definition-arn"]


def test_ecs_blue_green_failure_is_rolled_back(app: Any, action: Callable[..., ActionRun]) -> None:
    make_blue_green(app)
    before = service_of(app, "web")["taskDefinition"]
    app.faults.set_for_image(f"{REGISTRY}:crash", Fault.CRASH)
    run = deploy_web(action, "crash")
    assert run.exit_code == 1
    assert run.outputs["outcome"] == "rolled_back"
    assert "Traffic: production: blue (rolled back)" in run.summary
    wait_for(lambda: service_of(app, "web")["taskDefinition"] == before, "the rollback")


def paused_run(app: Any, action: Callable[..., ActionRun]) -> ActionRun:
    make_blue_green(app, **PAUSE_AT_TEST_TRAFFIC)
    run = deploy_web(action, "2.0", **{"wait-until": "POST_TEST_TRAFFIC_SHIFT"})
    assert run.exit_code == 0, run.stdout
    assert run.outputs["outcome"] == "ready"
    assert run.outputs["deployment-arn"] and run.outputs["hook-id"]
    assert "Paused at PAUSE hook" in run.summary
    return run


def test_pause_hook_then_continue_from_the_cli(
    app: Any, action: Callable[..., ActionRun], workspace: Path
) -> None:
    run = paused_run(app, action)
    # The deployment stays paused until told otherwise.
    time.sleep(1)
    record = app.client("ecs").describe_service_deployments(
        serviceDeploymentArns=[run.outputs["deployment-arn"]]
    )["serviceDeployments"][0]
    assert record["lifecycleStage"] == "POST_TEST_TRAFFIC_SHIFT"
    env = {
        "PATH": "/usr/bin:/bin",
        "AWS_ENDPOINT_URL": app.endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
    }
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "entrypoint.py"),
            "continue",
            run.outputs["deployment-arn"],
            "--poll-interval",
            "0.2s",
            "--timeout",
            "60s",
        ],
        env=env,
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "succeeded" in done.stdout
    assert service_of(app, "web")["taskDefinition"] == run.outputs["task-definition-arn"]


def test_pause_hook_then_rollback_from_the_action(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    before = service_of(app, "web")["taskDefinition"]
    run = paused_run(app, action)
    finished = action(
        {
            "continue-deployment": run.outputs["deployment-arn"],
            "continue-action": "ROLLBACK",
            "hook-id": run.outputs["hook-id"],
            **FAST,
        }
    )
    # ROLLBACK was asked for and done: the step succeeds, and says what happened.
    assert finished.exit_code == 0, finished.stdout
    assert finished.outputs["outcome"] == "rolled_back"
    wait_for(lambda: service_of(app, "web")["taskDefinition"] == before, "the rollback")


def test_continue_refuses_a_deployment_that_is_not_paused(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    make_blue_green(app)
    run = deploy_web(action, "2.0")
    finished = action({"continue-deployment": run.outputs["deployment-arn"], **FAST})
    assert finished.exit_code == 2
    assert "is not paused at a lifecycle hook" in finished.stdout
    assert app.calls.count("ContinueServiceDeployment") == 0
