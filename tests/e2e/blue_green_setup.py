"""What the blue/green end-to-end tests share: a CodeDeploy service and group, an ECS-native
blue/green service, and small waits on the emulator."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from tests.e2e.action import ActionRun
from tests.e2e.conftest import service_of

FAST = {"poll-interval": "0.2s", "timeout": "60s"}
REGISTRY = "registry.example.com:5000/team/web"
APP, GROUP = "AppECS-demo-api", "DgpECS-demo-api"
TARGET_GROUP = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/0123456789"
MUTATING = ("RegisterTaskDefinition", "UpdateService", "CreateDeployment")
PAUSE_AT_TEST_TRAFFIC = {
    "lifecycleHooks": [{"targetType": "PAUSE", "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"]}]
}


# -- CodeDeploy ------------------------------------------------------------------------------
def codedeploy_service(
    app: Any,
    *,
    wait_at_ready: bool = False,
    auto_rollback: bool = False,
    termination_wait: int = 0,
    ready_wait: int = 60,
    group_service: str = "api",
) -> str:
    """Service `api` (CODE_DEPLOY controller, behind a load balancer) and its deployment group
    (which deploys `group_service`; `termination_wait`: minutes the original task set is kept
    after production traffic moved; `ready_wait`: minutes it may wait at Ready, which the
    run's timeout adds, as the official action does)."""
    web = service_of(app, "web")
    app.client("ecs").create_service(
        cluster="demo",
        serviceName="api",
        taskDefinition=web["taskDefinition"],
        desiredCount=1,
        launchType="FARGATE",
        deploymentController={"type": "CODE_DEPLOY"},
        networkConfiguration=web["networkConfiguration"],
        loadBalancers=[
            {"targetGroupArn": TARGET_GROUP, "containerName": "app", "containerPort": 8080}
        ],
    )
    codedeploy = app.client("codedeploy")
    codedeploy.create_application(applicationName=APP, computePlatform="ECS")
    ready = (
        {"actionOnTimeout": "STOP_DEPLOYMENT", "waitTimeInMinutes": ready_wait}
        if wait_at_ready
        else {"actionOnTimeout": "CONTINUE_DEPLOYMENT"}
    )
    codedeploy.create_deployment_group(
        applicationName=APP,
        deploymentGroupName=GROUP,
        serviceRoleArn="arn:aws:iam::123456789012:role/codedeploy",
        deploymentStyle={
            "deploymentType": "BLUE_GREEN",
            "deploymentOption": "WITH_TRAFFIC_CONTROL",
        },
        blueGreenDeploymentConfiguration={
            "deploymentReadyOption": ready,
            "terminateBlueInstancesOnDeploymentSuccess": {
                "action": "TERMINATE",
                "terminationWaitTimeInMinutes": termination_wait,
            },
        },
        ecsServices=[{"serviceName": group_service, "clusterName": "demo"}],
        autoRollbackConfiguration={"enabled": auto_rollback, "events": ["DEPLOYMENT_FAILURE"]},
    )
    app.calls.clear()
    return str(web["taskDefinition"])


def deploy_api(action: Callable[..., ActionRun], tag: str = "2.0", **inputs: str) -> ActionRun:
    return action(
        {
            "service": "api",
            "cluster": "demo",
            "task-definition": "taskdefs/web.json",
            "container-name": "app",
            "image-tag": tag,
            **FAST,
            **inputs,
        }
    )


def sent_appspec(app: Any, deployment_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    info = app.client("codedeploy").get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    content = info["revision"]["appSpecContent"]
    return json.loads(content["content"]), content


def codedeploy_status(app: Any, deployment_id: str) -> str:
    info = app.client("codedeploy").get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    return str(info["status"])


def only_deployment(app: Any) -> str:
    (deployment_id,) = app.client("codedeploy").list_deployments()["deployments"]
    return str(deployment_id)


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def make_blue_green(app: Any, **configuration: Any) -> None:
    app.client("ecs").update_service(
        cluster="demo",
        service="web",
        deploymentConfiguration={
            "strategy": "BLUE_GREEN",
            "bakeTimeInMinutes": 1,
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            **configuration,
        },
    )
    app.calls.clear()


def deploy_web(action: Callable[..., ActionRun], tag: str, **inputs: str) -> ActionRun:
    return action(
        {"config": ".ecs-deploy.yml", "service": "web", "image-tag": tag, **FAST, **inputs}
    )
