"""ECS-native blue/green through entrypoint.py on the emulator: stages read from the service
deployment, PAUSE hooks nobody waits for, wait-until in a run with rolling services, and
rollback-scope all over a paused deployment."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ecs_deploy.emulator import Fault
from tests.e2e.action import ActionRun
from tests.e2e.blue_green_setup import (
    PAUSE_AT_TEST_TRAFFIC,
    deploy_web,
    make_blue_green,
    wait_for,
)
from tests.e2e.conftest import service_of


def service_deployment(app: Any, arn: str) -> dict[str, Any]:
    found = app.client("ecs").describe_service_deployments(serviceDeploymentArns=[arn])
    return dict(found["serviceDeployments"][0])


def test_the_stage_comes_from_the_service_deployment_not_from_events(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    make_blue_green(app)
    app.faults.set_stage_events(False)  # AWS documents lifecycleStage, not stage events
    run = deploy_web(action, "2.0", **{"wait-until": "POST_TEST_TRAFFIC_SHIFT"})
    assert run.exit_code == 0, run.stdout
    assert run.outputs["outcome"] == "ready"
    [service] = json.loads(run.outputs["services"])
    assert "reached lifecycle stage POST_TEST_TRAFFIC_SHIFT" in service["reason"]
    assert "web: lifecycle stage TEST_TRAFFIC_SHIFT" in run.stdout


def test_a_pause_hook_with_no_wait_until_is_reported_not_waited_on(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    make_blue_green(app, **PAUSE_AT_TEST_TRAFFIC)
    run = deploy_web(action, "2.0", timeout="30s")
    assert run.exit_code == 0, run.stdout
    assert run.outputs["outcome"] == "ready"
    hook = run.outputs["hook-id"]
    record = service_deployment(app, run.outputs["deployment-arn"])
    assert record["lifecycleStage"] == "POST_TEST_TRAFFIC_SHIFT"
    assert [h["status"] for h in record["lifecycleHookDetails"] if h["hookId"] == hook] == [
        "AWAITING_ACTION"
    ]
    assert f"PAUSE hook {hook}" in json.loads(run.outputs["services"])[0]["reason"]


def worker_image(app: Any, tag: str) -> str:
    arn = service_of(app, "worker")["taskDefinition"]
    definition = app.client("ecs").describe_task_definition(taskDefinition=arn)["taskDefinition"]
    image = str(definition["containerDefinitions"][0]["image"])
    return f"{image.rsplit(':', 1)[0]}:{tag}"


def test_wait_until_with_rolling_services_and_rollback_of_the_paused_one(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    make_blue_green(app, **PAUSE_AT_TEST_TRAFFIC)
    names = ("web", "worker", "scheduler")
    before = {name: service_of(app, name)["taskDefinition"] for name in names}
    app.faults.set_for_image(worker_image(app, "v9"), Fault.CRASH)
    run = action(
        {
            "config": ".ecs-deploy.yml",
            "image-tag": "v9",
            "wait-until": "POST_TEST_TRAFFIC_SHIFT",
            "rollback": "on-failure",
            "rollback-scope": "all",
            "poll-interval": "0.2s",
            "timeout": "60s",
        }
    )
    # wait-until is for the blue/green `web`; the rolling ones go to their verdict.
    assert run.exit_code == 1, run.stdout
    assert "wait-until applies to the blue/green services only" in run.stdout
    outcomes = {s["name"]: s for s in json.loads(run.outputs["services"])}
    assert outcomes["worker"]["outcome"] in ("failed", "rolled_back")  # its breaker's choice
    assert outcomes["scheduler"]["outcome"] == "rolled_back"
    # `web` was paused (ready) at its hook: it gets ROLLBACK at the hook, and is waited for.
    assert outcomes["web"]["outcome"] == "rolled_back", outcomes["web"]
    assert outcomes["web"]["rollback"]["outcome"] == "succeeded"
    arn = outcomes["web"]["blue_green"]["deployment_arn"]
    assert service_deployment(app, arn)["status"] == "ROLLBACK_SUCCESSFUL"
    for name in names:
        wait_for(lambda n=name: service_of(app, n)["taskDefinition"] == before[n], name)


def test_post_deploy_tasks_wait_for_services_that_landed_not_ready_ones(
    app: Any, action: Callable[..., ActionRun], workspace: Any
) -> None:
    app.client("ecs").register_task_definition(
        family="cleanup",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "cleanup", "image": "r/cleanup:1", "essential": True}],
    )
    (workspace / "post-app.yml").write_text(
        "version: v1\ncluster: demo\nservices:\n"
        "  - name: web\n    task_definition: taskdefs/web.json\n    containers: [app]\n"
        "tasks:\n  post:\n    - family: cleanup\n      network_from_service: web\n"
    )
    make_blue_green(app)
    run = action(
        {
            "config": "post-app.yml",
            "image-tag": "2.0",
            "wait-until": "POST_TEST_TRAFFIC_SHIFT",
            "poll-interval": "0.2s",
            "timeout": "60s",
        }
    )
    assert run.exit_code == 0, run.stdout
    assert run.outputs["outcome"] == "ready"
    assert app.calls.count("RunTask") == 0  # web is still on its way: clean-up must wait
    assert "post-deploy tasks not run: the services have not finished deploying" in run.stdout
    assert "post-deploy tasks not run" in run.summary
