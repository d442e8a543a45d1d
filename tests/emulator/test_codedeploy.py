"""CodeDeploy blue/green deployments of an ECS service."""

from __future__ import annotations

import json
from typing import Any

from ecs_deploy.emulator import Emulator, Fault

from .support import CLUSTER, World, wait_for

APP, GROUP = "AppECS-demo-web", "DgpECS-demo-web"
EVENTS = [
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "AllowTestTraffic",
    "AfterAllowTestTraffic",
    "BeforeAllowTraffic",
    "AllowTraffic",
    "AfterAllowTraffic",
]


def _setup(world: World, emulator: Emulator, wait_at_ready: bool = False) -> tuple[Any, str]:
    old = world.register("web", {"name": "app", "image": "app:1"})
    world.ecs.create_service(
        cluster=CLUSTER,
        serviceName="web",
        taskDefinition=old,
        desiredCount=1,
        launchType="FARGATE",
        deploymentController={"type": "CODE_DEPLOY"},
        networkConfiguration=world.network(),
    )
    codedeploy = emulator.client("codedeploy")
    codedeploy.create_application(applicationName=APP, computePlatform="ECS")
    ready: dict[str, Any] = {"actionOnTimeout": "CONTINUE_DEPLOYMENT"}
    if wait_at_ready:
        ready = {"actionOnTimeout": "STOP_DEPLOYMENT", "waitTimeInMinutes": 60}
    codedeploy.create_deployment_group(
        applicationName=APP,
        deploymentGroupName=GROUP,
        serviceRoleArn="arn:aws:iam::123456789012:role/codedeploy",
        deploymentStyle={
            "deploymentType": "BLUE_GREEN",
            "deploymentOption": "WITH_TRAFFIC_CONTROL",
        },
        blueGreenDeploymentConfiguration={"deploymentReadyOption": ready},
        ecsServices=[{"serviceName": "web", "clusterName": CLUSTER}],
        autoRollbackConfiguration={"enabled": True, "events": ["DEPLOYMENT_FAILURE"]},
    )
    return codedeploy, old


def _deploy(codedeploy: Any, task_definition: str) -> str:
    appspec = {
        "version": 0.0,
        "Resources": [
            {
                "TargetService": {
                    "Type": "AWS::ECS::Service",
                    "Properties": {
                        "TaskDefinition": task_definition,
                        "LoadBalancerInfo": {"ContainerName": "app", "ContainerPort": 80},
                    },
                }
            }
        ],
    }
    answer = codedeploy.create_deployment(
        applicationName=APP,
        deploymentGroupName=GROUP,
        revision={
            "revisionType": "AppSpecContent",
            "appSpecContent": {"content": json.dumps(appspec)},
        },
    )
    return str(answer["deploymentId"])


def _status(codedeploy: Any, deployment_id: str) -> dict[str, Any]:
    return dict(codedeploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"])


def _final(codedeploy: Any, deployment_id: str, status: str) -> dict[str, Any]:
    return wait_for(
        lambda: (d := _status(codedeploy, deployment_id))["status"] == status and d,
        what=f"CodeDeploy {status}",
    )


def _lifecycle(codedeploy: Any, deployment_id: str) -> list[tuple[str, str]]:
    (target_id,) = codedeploy.list_deployment_targets(deploymentId=deployment_id)["targetIds"]
    (target,) = codedeploy.batch_get_deployment_targets(
        deploymentId=deployment_id, targetIds=[target_id]
    )["deploymentTargets"]
    return [(e["lifecycleEventName"], e["status"]) for e in target["ecsTarget"]["lifecycleEvents"]]


def test_a_deployment_succeeds_and_the_service_runs_the_new_revision(
    world: World, ecs_emulator: Emulator
) -> None:
    codedeploy, _ = _setup(world, ecs_emulator)
    new = world.register("web", {"name": "app", "image": "app:2"})
    deployment_id = _deploy(codedeploy, new)
    wait_for(
        lambda: _status(codedeploy, deployment_id)["status"] == "InProgress", what="InProgress"
    )
    _final(codedeploy, deployment_id, "Succeeded")
    assert world.service("web")["taskDefinition"] == new
    assert _lifecycle(codedeploy, deployment_id) == [(e, "Succeeded") for e in EVENTS]


def test_update_service_cannot_change_the_task_definition(
    world: World, ecs_emulator: Emulator
) -> None:
    _setup(world, ecs_emulator)
    new = world.register("web", {"name": "app", "image": "app:2"})
    try:
        world.ecs.update_service(cluster=CLUSTER, service="web", taskDefinition=new)
    except world.ecs.exceptions.InvalidParameterException:
        return
    raise AssertionError("expected InvalidParameterException")


def test_a_failing_image_fails_the_deployment(world: World, ecs_emulator: Emulator) -> None:
    codedeploy, old = _setup(world, ecs_emulator)
    ecs_emulator.faults.set_for_image("app:bad", Fault.CRASH)
    bad = world.register("web", {"name": "app", "image": "app:bad"})
    deployment_id = _deploy(codedeploy, bad)
    failed = _final(codedeploy, deployment_id, "Failed")
    assert failed["errorInformation"]["code"] == "ECS_UPDATE_ERROR"
    assert "rollbackMessage" in failed["rollbackInfo"]
    assert world.service("web")["taskDefinition"] == old
    assert ("Install", "Failed") in _lifecycle(codedeploy, deployment_id)


def test_a_failing_application_fails_the_deployment(world: World, ecs_emulator: Emulator) -> None:
    codedeploy, _ = _setup(world, ecs_emulator)
    ecs_emulator.faults.fail_codedeploy(APP)
    deployment_id = _deploy(codedeploy, world.register("web", {"name": "app", "image": "app:2"}))
    _final(codedeploy, deployment_id, "Failed")


def test_wait_at_ready_until_continue(world: World, ecs_emulator: Emulator) -> None:
    codedeploy, _ = _setup(world, ecs_emulator, wait_at_ready=True)
    new = world.register("web", {"name": "app", "image": "app:2"})
    deployment_id = _deploy(codedeploy, new)
    _final(codedeploy, deployment_id, "Ready")
    ticks = ecs_emulator.ticks
    wait_for(lambda: ecs_emulator.ticks > ticks + 10, what="10 ticks")
    assert _status(codedeploy, deployment_id)["status"] == "Ready"
    codedeploy.continue_deployment(deploymentId=deployment_id, deploymentWaitType="READY_WAIT")
    _final(codedeploy, deployment_id, "Succeeded")
    assert world.service("web")["taskDefinition"] == new


def test_stop_deployment_with_rollback(world: World, ecs_emulator: Emulator) -> None:
    codedeploy, old = _setup(world, ecs_emulator, wait_at_ready=True)
    deployment_id = _deploy(codedeploy, world.register("web", {"name": "app", "image": "app:2"}))
    _final(codedeploy, deployment_id, "Ready")
    answer = codedeploy.stop_deployment(deploymentId=deployment_id, autoRollbackEnabled=True)
    assert answer["status"] == "Succeeded"
    stopped = _status(codedeploy, deployment_id)
    assert stopped["status"] == "Stopped"
    assert "rollbackMessage" in stopped["rollbackInfo"]
    assert world.service("web")["taskDefinition"] == old
    try:
        codedeploy.stop_deployment(deploymentId=deployment_id)
    except codedeploy.exceptions.DeploymentAlreadyCompletedException:
        return
    raise AssertionError("expected DeploymentAlreadyCompletedException")
