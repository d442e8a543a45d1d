"""The service deployments API (List/Describe/StopServiceDeployment, DescribeServiceRevisions),
derived from the emulator's ECS deployments, and its switch."""

from __future__ import annotations

import argparse
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ecs_deploy.emulator import Emulator, Fault
from ecs_deploy.emulator.cli import add_arguments

from .support import CLUSTER, World, wait_for

ARN_PREFIX = "arn:aws:ecs:us-east-1:123456789012:"


def _service_deployments(world: World, **filters: Any) -> list[dict[str, Any]]:
    answer = world.ecs.list_service_deployments(cluster=CLUSTER, service="web", **filters)
    return list(answer["serviceDeployments"])


def _describe(world: World, arn: str) -> dict[str, Any]:
    answer = world.ecs.describe_service_deployments(serviceDeploymentArns=[arn])
    assert answer["failures"] == []
    return dict(answer["serviceDeployments"][0])


def _arn_of(deployment_id: str, kind: str = "service-deployment") -> str:
    return f"{ARN_PREFIX}{kind}/{CLUSTER}/web/{deployment_id.split('/')[-1]}"


def _until_status(world: World, arn: str, *statuses: str) -> dict[str, Any]:
    return wait_for(
        lambda: (found := _describe(world, arn))["status"] in statuses and found,
        what=f"{arn} in {statuses}",
    )


def _deploy(world: World, image: str) -> tuple[str, str]:
    """Register `image` and update the service to it: (task definition ARN, deployment id)."""
    arn = world.register("web", {"name": "app", "image": image})
    answer = world.ecs.update_service(cluster=CLUSTER, service="web", taskDefinition=arn)
    return arn, str(answer["service"]["deployments"][0]["id"])


def test_a_rolling_update_is_listed_described_and_mapped_to_its_task_definition(
    world: World,
) -> None:
    first = world.register("web", {"name": "app", "image": "app:1"})
    created = world.create_service("web", first)["deployments"][0]["id"]
    world.steady("web")
    second, ours = _deploy(world, "app:2")

    pending = _service_deployments(world)
    assert [d["serviceDeploymentArn"] for d in pending] == [_arn_of(ours), _arn_of(created)]
    assert pending[0]["status"] in ("PENDING", "IN_PROGRESS")
    assert pending[0]["targetServiceRevisionArn"] == _arn_of(ours, "service-revision")
    assert pending[1]["status"] == "SUCCESSFUL" and "finishedAt" in pending[1]

    done = _until_status(world, _arn_of(ours), "SUCCESSFUL")
    assert done["serviceArn"].endswith(":service/demo/web")
    assert done["clusterArn"].endswith(":cluster/demo")
    assert done["createdAt"] <= done["startedAt"] <= done["finishedAt"]
    assert done["targetServiceRevision"] == {
        "arn": _arn_of(ours, "service-revision"),
        "requestedTaskCount": 2,
        "runningTaskCount": 2,
        "pendingTaskCount": 0,
    }
    (source,) = done["sourceServiceRevisions"]
    assert source["arn"] == _arn_of(created, "service-revision")
    assert source["runningTaskCount"] == 0
    assert done["deploymentCircuitBreaker"] == {
        "status": "MONITORING_COMPLETE",
        "failureCount": 0,
        "threshold": 3,
    }
    assert done["deploymentConfiguration"]["deploymentCircuitBreaker"]["rollback"] is True
    assert "rollback" not in done

    revisions = world.ecs.describe_service_revisions(
        serviceRevisionArns=[done["targetServiceRevision"]["arn"], source["arn"]]
    )
    assert [r["taskDefinition"] for r in revisions["serviceRevisions"]] == [second, first]
    assert revisions["serviceRevisions"][0]["containerImages"] == [
        {"containerName": "app", "image": "app:2"}
    ]
    assert revisions["serviceRevisions"][0]["launchType"] == "FARGATE"


def test_filters_and_pages(world: World) -> None:
    world.create_service("web", world.register("web", {"name": "app", "image": "app:1"}))
    world.steady("web")
    _, ours = _deploy(world, "app:2")
    world.steady("web")

    assert [d["status"] for d in _service_deployments(world)] == ["SUCCESSFUL", "SUCCESSFUL"]
    assert _service_deployments(world, status=["IN_PROGRESS", "STOPPED"]) == []
    newest = _service_deployments(world)[0]
    assert newest["serviceDeploymentArn"] == _arn_of(ours)
    after = _service_deployments(world, createdAt={"after": newest["createdAt"]})
    assert [d["serviceDeploymentArn"] for d in after] == [_arn_of(ours)]

    first_page = world.ecs.list_service_deployments(cluster=CLUSTER, service="web", maxResults=1)
    assert len(first_page["serviceDeployments"]) == 1
    second_page = world.ecs.list_service_deployments(
        cluster=CLUSTER, service="web", maxResults=1, nextToken=first_page["nextToken"]
    )
    assert "nextToken" not in second_page
    assert second_page["serviceDeployments"] != first_page["serviceDeployments"]

    with pytest.raises(ClientError) as missing:
        world.ecs.list_service_deployments(cluster=CLUSTER, service="nope")
    assert missing.value.response["Error"]["Code"] == "ServiceNotFoundException"
    unknown = world.ecs.describe_service_deployments(serviceDeploymentArns=[_arn_of("1")])
    assert unknown["failures"] == [{"arn": _arn_of("1"), "reason": "MISSING"}]
    with pytest.raises(ClientError) as too_many:
        world.ecs.describe_service_revisions(serviceRevisionArns=[_arn_of("1")] * 21)
    assert too_many.value.response["Error"]["Code"] == "InvalidParameterException"


def test_breaker_rollback_shows_on_the_service_deployment_and_in_history(
    world: World, ecs_emulator: Emulator
) -> None:
    good = world.register("web", {"name": "app", "image": "app:1"})
    completed = world.create_service("web", good)["deployments"][0]["id"]
    world.steady("web")
    ecs_emulator.faults.set_for_image("app:bad", Fault.CRASH)
    bad, ours = _deploy(world, "app:bad")

    rolled_back = _until_status(world, _arn_of(ours), "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED")
    assert rolled_back["status"] == "ROLLBACK_SUCCESSFUL"
    assert rolled_back["rollback"]["serviceRevisionArn"] == _arn_of(completed, "service-revision")
    assert rolled_back["rollback"]["reason"] == (
        "ECS deployment circuit breaker: tasks failed to start."
    )
    assert rolled_back["createdAt"] <= rolled_back["rollback"]["startedAt"]
    breaker = rolled_back["deploymentCircuitBreaker"]
    assert breaker["status"] == "TRIGGERED" and breaker["failureCount"] >= breaker["threshold"] == 3
    assert world.service("web")["taskDefinition"] == good

    history = ecs_emulator.history
    ours_changes = [(c.field, c.value) for c in history if c.deployment_id == ours]
    assert ours_changes == [
        ("rolloutState", "IN_PROGRESS"),
        ("status", "PRIMARY"),
        ("rolloutState", "FAILED"),
        ("status", "ACTIVE"),
        ("status", "INACTIVE"),
    ]
    failed = next(c for c in history if c.deployment_id == ours and c.value == "FAILED")
    rollback = next(
        c
        for c in history
        if c.field == "status" and c.value == "PRIMARY" and c.at >= failed.at and c.deployment_id
    )
    assert rollback.tick == failed.tick and rollback.deployment_id not in (ours, completed)
    assert [c.value for c in history if c.field == "taskDefinition"] == [good, bad, good]
    assert all(c.cluster == CLUSTER and c.service == "web" for c in history)
    assert [c.at for c in history] == sorted(c.at for c in history)
    assert history[-1].value in ("COMPLETED", "INACTIVE")

    ecs_emulator.reset()
    assert ecs_emulator.history == []


def test_stop_with_rollback_and_abort(world: World, ecs_emulator: Emulator) -> None:
    good = world.register("web", {"name": "app", "image": "app:1"})
    world.create_service("web", good, breaker=False)
    world.steady("web")
    ecs_emulator.faults.set_for_image("app:bad", Fault.CRASH)
    _, ours = _deploy(world, "app:bad")

    answer = world.ecs.stop_service_deployment(
        serviceDeploymentArn=_arn_of(ours), stopType="ROLLBACK"
    )
    assert answer["serviceDeploymentArn"] == _arn_of(ours)
    assert _describe(world, _arn_of(ours))["status"] in (
        "ROLLBACK_REQUESTED",
        "ROLLBACK_IN_PROGRESS",
    )
    done = _until_status(world, _arn_of(ours), "ROLLBACK_SUCCESSFUL")
    assert done["rollback"]["reason"] == "Rollback requested: StopServiceDeployment (ROLLBACK)."
    assert world.steady("web")["taskDefinition"] == good

    with pytest.raises(ClientError) as finished:
        world.ecs.stop_service_deployment(serviceDeploymentArn=_arn_of(ours))
    assert finished.value.response["Error"]["Code"] == "ConflictException"
    with pytest.raises(ClientError) as unknown:
        world.ecs.stop_service_deployment(serviceDeploymentArn=_arn_of("1"))
    assert unknown.value.response["Error"]["Code"] == "ServiceDeploymentNotFoundException"

    _, aborted = _deploy(world, "app:bad")
    world.ecs.stop_service_deployment(serviceDeploymentArn=_arn_of(aborted), stopType="ABORT")
    stopped = _until_status(world, _arn_of(aborted), "STOPPED")
    assert stopped["statusReason"] == "Service deployment stopped: StopServiceDeployment (ABORT)."
    assert "stoppedAt" in stopped and "rollback" not in stopped
    primary = world.service("web")["deployments"][0]
    assert (primary["id"], primary["rolloutState"]) == (aborted, "FAILED")


def test_a_second_update_during_a_deployment_supersedes_it(
    world: World, ecs_emulator: Emulator
) -> None:
    v1 = world.register("web", {"name": "app", "image": "app:1"})
    first = world.create_service("web", v1)["deployments"][0]["id"]
    world.steady("web")
    _, second = _deploy(world, "app:2")
    wait_for(lambda: world.service("web")["deployments"][0]["runningCount"] > 0, what="v2 runs")
    v3, third = _deploy(world, "app:3")

    service = world.service("web")
    assert [(d["id"], d["status"], d["rolloutState"]) for d in service["deployments"]] == [
        (third, "PRIMARY", "IN_PROGRESS"),
        (second, "ACTIVE", "IN_PROGRESS"),
        (first, "ACTIVE", "COMPLETED"),
    ][: len(service["deployments"])]
    assert service["deployments"][1]["id"] == second
    superseded = _describe(world, _arn_of(second))
    assert superseded["status"] == "STOPPED"
    assert superseded["statusReason"] == (
        "Service deployment stopped: a newer service deployment started."
    )

    after = world.steady("web")
    assert after["taskDefinition"] == v3 and [d["id"] for d in after["deployments"]] == [third]
    assert {t["startedBy"] for t in world.tasks(serviceName="web")} == {third}
    second_states = [(c.field, c.value) for c in ecs_emulator.history if c.deployment_id == second]
    assert second_states == [
        ("rolloutState", "IN_PROGRESS"),
        ("status", "PRIMARY"),
        ("status", "ACTIVE"),
        ("status", "INACTIVE"),
    ]
    assert _describe(world, _arn_of(third))["status"] == "SUCCESSFUL"


def test_switched_off_the_api_fails_like_an_endpoint_without_it(
    world: World, ecs_emulator: Emulator
) -> None:
    world.create_service("web", world.register("web", {"name": "app", "image": "app:1"}))
    calls = {
        "list_service_deployments": {"cluster": CLUSTER, "service": "web"},
        "describe_service_deployments": {"serviceDeploymentArns": [_arn_of("1")]},
        "stop_service_deployment": {"serviceDeploymentArn": _arn_of("1")},
        "describe_service_revisions": {"serviceRevisionArns": [_arn_of("1", "service-revision")]},
    }
    ecs_emulator.service_deployments_api = False
    try:
        for operation, params in calls.items():
            with pytest.raises(ClientError) as error:
                getattr(world.ecs, operation)(**params)
            # A 4xx, as an endpoint without the operation answers (never a 5xx: that is a
            # server error clients retry; tests/replay/recorded/errors/ has AWS's wording).
            assert error.value.response["Error"]["Code"] == "UnknownOperationException"
            assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    finally:
        ecs_emulator.service_deployments_api = True
    assert len(_service_deployments(world)) == 1


def test_reset_switches_the_api_back_to_its_start_value(ecs_emulator: Emulator) -> None:
    ecs_emulator.service_deployments_api = False
    ecs_emulator.reset()
    assert ecs_emulator.service_deployments_api is True


def test_cli_flag_switches_the_api_off() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert parser.parse_args([]).service_deployments_api is True
    assert parser.parse_args(["--no-service-deployments-api"]).service_deployments_api is False
