"""Emulator modes (modes.py): AWS behaviours a client must cope with, seen through boto3."""

from __future__ import annotations

import argparse
import dataclasses
import random
import re
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ecs_deploy.emulator import Emulator, EmulatorModes, Fault, FaultBook
from ecs_deploy.emulator.cli import add_arguments, modes_from
from ecs_deploy.errors import InputError

from .support import CLUSTER, World, wait_for
from .test_codedeploy import _deploy as codedeploy_deploy
from .test_codedeploy import _setup as codedeploy_setup

RANDOM_ID = re.compile(r"[A-Za-z0-9]{21}")
ROLLING_BACK = "ECS deployment circuit breaker: rolling back to deploymentId {}."
# minimumHealthyPercent 0: the old tasks go when ours start, so the rollback has to start
# tasks again and ROLLBACK_IN_PROGRESS lasts long enough to be seen.
DRAIN_OLD = {"minimumHealthyPercent": 0, "maximumPercent": 200}


def _set(emulator: Emulator, **changes: Any) -> None:
    emulator.modes = dataclasses.replace(emulator.modes, **changes)


def _records(world: World) -> list[dict[str, Any]]:
    listed = world.ecs.list_service_deployments(cluster=CLUSTER, service="web")
    arns = [d["serviceDeploymentArn"] for d in listed["serviceDeployments"]]
    if not arns:
        return []
    found = world.ecs.describe_service_deployments(serviceDeploymentArns=arns)
    return list(found["serviceDeployments"])


def _breaker_rollback(world: World, emulator: Emulator) -> dict[str, Any]:
    """A completed deployment, then ours that the breaker fails: what a client saw."""
    good = world.register("web", {"name": "app", "image": "app:1"})
    world.create_service("web", good, deploymentConfiguration=dict(DRAIN_OLD))
    completed = world.steady("web")["deployments"][0]
    emulator.faults.set_for_image("app:bad", Fault.PULL_FAILURE)
    bad = world.register("web", {"name": "app", "image": "app:bad"})
    answer = world.ecs.update_service(cluster=CLUSTER, service="web", taskDefinition=bad)
    ours = answer["service"]["deployments"][0]
    ours_arn = answer["service"]["currentServiceDeployment"]
    seen_statuses: list[str] = []
    primaries: list[dict[str, Any]] = []

    def rolled_back() -> dict[str, Any] | None:
        record = world.ecs.describe_service_deployments(serviceDeploymentArns=[ours_arn])[
            "serviceDeployments"
        ][0]
        if not seen_statuses or seen_statuses[-1] != record["status"]:
            seen_statuses.append(record["status"])
        primary = world.service("web")["deployments"][0]
        if primary["id"] != ours["id"] and not primaries:
            primaries.append(primary)
        return dict(record) if record["status"] == "ROLLBACK_SUCCESSFUL" else None

    record = wait_for(rolled_back, timeout=20, what="ROLLBACK_SUCCESSFUL")
    return {
        "good": good,
        "completed": completed,
        "ours": ours,
        "record": record,
        "statuses": seen_statuses,
        "rollback": primaries[0],
        "service": world.steady("web"),
    }


def _gone_within_a_tick(emulator: Emulator, deployment_id: str) -> None:
    history = [c for c in emulator.history if c.deployment_id == deployment_id]
    failed = next(c for c in history if c.value == "FAILED")
    inactive = next(c for c in history if c.value == "INACTIVE")
    assert inactive.tick - failed.tick <= 1


# AWS: "If rollback is on, when a service deployment fails, the service is rolled back to the
# last deployment that completed successfully." (DeploymentCircuitBreaker, ECS API reference)
def test_rollback_new_starts_a_new_deployment(world: World, ecs_emulator: Emulator) -> None:
    seen = _breaker_rollback(world, ecs_emulator)
    rollback, completed = seen["rollback"], seen["completed"]
    assert rollback["id"] not in (completed["id"], seen["ours"]["id"])
    assert rollback["taskDefinition"] == seen["good"]
    assert rollback["rolloutStateReason"] == ROLLING_BACK.format(completed["id"])
    assert "ROLLBACK_IN_PROGRESS" in seen["statuses"]
    assert seen["statuses"][-1] == "ROLLBACK_SUCCESSFUL"
    assert seen["service"]["deployments"][0]["id"] == rollback["id"]
    _gone_within_a_tick(ecs_emulator, seen["ours"]["id"])


def test_rollback_reuse_puts_the_completed_deployment_back(
    world: World, ecs_emulator: Emulator
) -> None:
    _set(ecs_emulator, rollback="reuse")
    seen = _breaker_rollback(world, ecs_emulator)
    rollback, completed = seen["rollback"], seen["completed"]
    assert rollback["id"] == completed["id"]
    assert rollback["createdAt"] == completed["createdAt"]
    assert rollback["createdAt"] < seen["ours"]["createdAt"]
    assert rollback["status"] == "PRIMARY" and rollback["taskDefinition"] == seen["good"]
    assert rollback["rolloutState"] in ("IN_PROGRESS", "COMPLETED")
    assert rollback["rolloutStateReason"].startswith(ROLLING_BACK.format(completed["id"])[:40])
    assert "ROLLBACK_IN_PROGRESS" in seen["statuses"]
    assert seen["record"]["status"] == "ROLLBACK_SUCCESSFUL"
    service = seen["service"]
    assert service["taskDefinition"] == seen["good"]
    assert [d["id"] for d in service["deployments"]] == [completed["id"]]
    _gone_within_a_tick(ecs_emulator, seen["ours"]["id"])
    changes = [
        (c.field, c.value) for c in ecs_emulator.history if c.deployment_id == rollback["id"]
    ]
    assert ("status", "PRIMARY") in changes[2:] and changes[-1] == ("rolloutState", "COMPLETED")


def _placement_events(world: World) -> int:
    return sum("was unable to place a task" in m for m in world.messages("web"))


# AWS: "duplicate event messages are omitted until either the cause is resolved or six hours
# passes" (ECS developer guide, "Service event messages").
@pytest.mark.parametrize("dedup", [False, True])
def test_event_dedup(world: World, ecs_emulator: Emulator, dedup: bool) -> None:
    _set(ecs_emulator, event_dedup=dedup)
    ecs_emulator.faults.set_for_image("app:never", Fault.NEVER_PLACED)
    never = world.register("web", {"name": "app", "image": "app:never"})
    world.create_service("web", never, desiredCount=1)
    wait_for(lambda: _placement_events(world), what="a placement event")
    start = ecs_emulator.ticks
    minutes = 3 * 60 / ecs_emulator.ecs_seconds_per_tick
    wait_for(lambda: ecs_emulator.ticks >= start + minutes, what="three ECS minutes")
    if not dedup:
        assert _placement_events(world) >= 3
        return
    assert _placement_events(world) == 1
    # Resolved: a task gets placed ("has started"); the same cause later is shown again.
    ecs_emulator.faults.clear()
    wait_for(lambda: any("has started" in m for m in world.messages("web")), what="placed")
    ecs_emulator.faults.set_for_image("app:never2", Fault.NEVER_PLACED)
    again = world.register("web", {"name": "app", "image": "app:never2"})
    world.ecs.update_service(cluster=CLUSTER, service="web", taskDefinition=again)
    wait_for(lambda: _placement_events(world) == 2, what="the placement event again")


def test_random_service_deployment_ids_work_everywhere(
    world: World, ecs_emulator: Emulator
) -> None:
    # AWS ARNs: .../service-deployment/cluster/service/ejGvqq2ilnbKT9qj0vLJe (ECS API reference)
    _set(ecs_emulator, service_deployment_ids="random")
    first = world.register("web", {"name": "app", "image": "app:1"})
    world.create_service("web", first)
    world.steady("web")
    [record] = _records(world)
    record_id = record["serviceDeploymentArn"].rsplit("/", 1)[-1]
    revision_arn = record["targetServiceRevision"]["arn"]
    assert RANDOM_ID.fullmatch(record_id) and RANDOM_ID.fullmatch(revision_arn.rsplit("/", 1)[-1])
    assert revision_arn.rsplit("/", 1)[-1] != record_id
    assert record["status"] == "SUCCESSFUL"
    revisions = world.ecs.describe_service_revisions(serviceRevisionArns=[revision_arn])
    assert revisions["serviceRevisions"][0]["taskDefinition"] == first
    listed = world.ecs.list_service_deployments(cluster=CLUSTER, service="web")
    assert listed["serviceDeployments"][0]["targetServiceRevisionArn"] == revision_arn

    second = world.register("web", {"name": "app", "image": "app:2"})
    answer = world.ecs.update_service(cluster=CLUSTER, service="web", taskDefinition=second)
    arn = answer["service"]["currentServiceDeployment"]
    assert arn != record["serviceDeploymentArn"] and RANDOM_ID.fullmatch(arn.rsplit("/", 1)[-1])
    world.ecs.stop_service_deployment(serviceDeploymentArn=arn, stopType="ROLLBACK")
    stopped = wait_for(
        lambda: (r := _records(world)[0])["status"] == "ROLLBACK_SUCCESSFUL" and r,
        what="ROLLBACK_SUCCESSFUL",
    )
    assert stopped["rollback"]["serviceRevisionArn"] == revision_arn
    assert world.steady("web")["taskDefinition"] == first


def test_random_ids_with_a_blue_green_pause_hook(world: World, ecs_emulator: Emulator) -> None:
    _set(ecs_emulator, service_deployment_ids="random")
    old = world.register("web", {"name": "app", "image": "app:1"})
    config: dict[str, Any] = {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 0}
    world.create_service("web", old, deploymentConfiguration=dict(config))
    world.steady("web", timeout=20)
    config = world.service("web")["deploymentConfiguration"]
    config["lifecycleHooks"] = [{"targetType": "PAUSE", "lifecycleStages": ["POST_SCALE_UP"]}]
    new = world.register("web", {"name": "app", "image": "app:2"})
    answer = world.ecs.update_service(
        cluster=CLUSTER, service="web", taskDefinition=new, deploymentConfiguration=config
    )
    arn = answer["service"]["currentServiceDeployment"]

    def paused() -> dict[str, Any] | None:
        record = world.ecs.describe_service_deployments(serviceDeploymentArns=[arn])[
            "serviceDeployments"
        ][0]
        hooks = [
            h for h in record.get("lifecycleHookDetails", []) if h["status"] == "AWAITING_ACTION"
        ]
        return hooks[0] if hooks else None

    hook = wait_for(paused, timeout=20, what="paused at POST_SCALE_UP")
    world.ecs.continue_service_deployment(
        serviceDeploymentArn=arn, hookId=hook["hookId"], action="CONTINUE"
    )
    assert world.steady("web", timeout=30)["taskDefinition"] == new


def test_skew_moves_the_record_created_at(world: World, ecs_emulator: Emulator) -> None:
    _set(ecs_emulator, service_deployment_skew=-120.0)
    first = world.register("web", {"name": "app", "image": "app:1"})
    created = world.create_service("web", first)["deployments"][0]["createdAt"]
    [record] = _records(world)
    wall = 120.0 * ecs_emulator.seconds_per_ecs_minute / 60.0
    assert (created - record["createdAt"]).total_seconds() == pytest.approx(wall, abs=0.01)
    # AWS promises no window: a createdAt filter from the deployment's createdAt misses it.
    after = world.ecs.list_service_deployments(
        cluster=CLUSTER, service="web", createdAt={"after": created}
    )
    assert after["serviceDeployments"] == []


def test_current_service_deployment_lags(world: World, ecs_emulator: Emulator) -> None:
    # botocore's Service shape: currentServiceDeployment "The ARN of the current service
    # deployment."
    first = world.register("web", {"name": "app", "image": "app:1"})
    world.create_service("web", first)
    world.steady("web")
    current = world.service("web")["currentServiceDeployment"]
    assert current == _records(world)[0]["serviceDeploymentArn"]

    _set(ecs_emulator, current_service_deployment_lag=10)
    second = world.register("web", {"name": "app", "image": "app:2"})
    start = ecs_emulator.ticks
    world.ecs.update_service(cluster=CLUSTER, service="web", taskDefinition=second)
    newest = _records(world)[0]["serviceDeploymentArn"]
    assert newest != current
    stale = world.service("web")["currentServiceDeployment"]
    assert stale == current or ecs_emulator.ticks - start >= 10
    wait_for(lambda: world.service("web")["currentServiceDeployment"] == newest, what="caught up")
    assert ecs_emulator.ticks - start >= 10


# botocore ListTasks.startedBy: "When you specify startedBy as the filter, it must be the only
# filter that you use."; ECS answers "cannot specify startedBy with other arguments"
# (aws/aws-sdk-go-v2#1893).
def test_list_tasks_strict_and_lenient(world: World, ecs_emulator: Emulator) -> None:
    first = world.register("web", {"name": "app", "image": "app:1"})
    deployment = world.create_service("web", first, desiredCount=1)["deployments"][0]["id"]
    world.steady("web")
    lenient = world.ecs.list_tasks(cluster=CLUSTER, startedBy=deployment, serviceName="web")
    assert len(lenient["taskArns"]) == 1

    _set(ecs_emulator, list_tasks="strict")
    for extra in (
        {"serviceName": "web"},
        {"family": "web"},
        {"desiredStatus": "RUNNING"},
        {"launchType": "FARGATE"},
    ):
        with pytest.raises(ClientError) as raised:
            world.ecs.list_tasks(cluster=CLUSTER, startedBy=deployment, **extra)
        error = raised.value.response["Error"]
        assert error == {
            "Code": "InvalidParameterException",
            "Message": "cannot specify startedBy with other arguments",
        }
    alone = world.ecs.list_tasks(cluster=CLUSTER, startedBy=deployment)
    assert alone["taskArns"] == lenient["taskArns"]  # RUNNING, the default desiredStatus
    assert world.ecs.list_tasks(cluster=CLUSTER, serviceName="web")["taskArns"]


# botocore's CodeDeploy model: both operations declare DeploymentNotStartedException,
# documented "The specified deployment has not started."
@pytest.mark.parametrize("mode", ["empty", "raise"])
def test_codedeploy_targets_before_start(world: World, ecs_emulator: Emulator, mode: str) -> None:
    _set(ecs_emulator, codedeploy_targets_before_start=mode, codedeploy_start_delay=60.0)
    codedeploy, _ = codedeploy_setup(world, ecs_emulator)
    new = world.register("web", {"name": "app", "image": "app:2"})
    deployment_id = codedeploy_deploy(codedeploy, new)
    info = codedeploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    assert info["status"] == "Created"
    if mode == "raise":
        for call in (
            lambda: codedeploy.list_deployment_targets(deploymentId=deployment_id),
            lambda: codedeploy.batch_get_deployment_targets(
                deploymentId=deployment_id, targetIds=[f"{CLUSTER}:web"]
            ),
        ):
            with pytest.raises(ClientError) as raised:
                call()
            assert raised.value.response["Error"] == {
                "Code": "DeploymentNotStartedException",
                "Message": "The specified deployment has not started.",
            }
    else:
        assert codedeploy.list_deployment_targets(deploymentId=deployment_id)["targetIds"] == []
    start = ecs_emulator.ticks
    wait_for(
        lambda: (
            codedeploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"]["status"]
            != "Created"
        ),
        what="started",
    )
    assert (ecs_emulator.ticks - start + 1) * ecs_emulator.ecs_seconds_per_tick >= 60.0
    targets = codedeploy.list_deployment_targets(deploymentId=deployment_id)["targetIds"]
    assert targets == [f"{CLUSTER}:web"]


def _threshold(world: World, ecs_emulator: Emulator, desired: int, **breaker: Any) -> int:
    config = {
        "deploymentCircuitBreaker": {"enable": True, "rollback": True, **breaker},
    }
    first = world.register("web", {"name": "app", "image": "app:1"})
    world.create_service(
        "web", first, breaker=None, desiredCount=desired, deploymentConfiguration=config
    )
    described = world.service("web")["deploymentConfiguration"]["deploymentCircuitBreaker"]
    assert described == config["deploymentCircuitBreaker"]  # DescribeServices keeps them
    record = wait_for(lambda: _records(world), what="a service deployment")[0]
    return int(record["deploymentCircuitBreaker"]["threshold"])


# botocore ThresholdType: BOUNDED_PERCENT "clamping the result to a minimum of 3 and a maximum
# of 200"; COUNT "uses the integer provided in value directly"; UNBOUNDED_PERCENT "without
# applying the 3-to-200 bounds".
@pytest.mark.parametrize(
    ("desired", "config", "expected"),
    [
        (2, {}, 3),
        (2, {"type": "BOUNDED_PERCENT", "value": 50}, 3),
        (10, {"type": "BOUNDED_PERCENT", "value": 100}, 10),
        (2, {"type": "COUNT", "value": 1}, 1),
        (2, {"type": "UNBOUNDED_PERCENT", "value": 50}, 1),
        (500, {"type": "UNBOUNDED_PERCENT", "value": 50}, 250),
        (500, {"type": "BOUNDED_PERCENT", "value": 50}, 200),
    ],
)
def test_breaker_threshold_configuration(
    world: World, ecs_emulator: Emulator, desired: int, config: dict[str, Any], expected: int
) -> None:
    ecs_emulator.faults.set_for_image("app:1", Fault.NEVER_PLACED)  # no 500 tasks, please
    breaker = {"thresholdConfiguration": config} if config else {}
    assert _threshold(world, ecs_emulator, desired, **breaker) == expected


def test_count_threshold_trips_after_that_many_failures(
    world: World, ecs_emulator: Emulator
) -> None:
    good = world.register("web", {"name": "app", "image": "app:1"})
    breaker = {
        "enable": True,
        "rollback": True,
        "thresholdConfiguration": {"type": "COUNT", "value": 1},
    }
    world.create_service(
        "web", good, breaker=None, deploymentConfiguration={"deploymentCircuitBreaker": breaker}
    )
    world.steady("web")
    ecs_emulator.faults.set_for_image("app:bad", Fault.PULL_FAILURE)
    bad = world.register("web", {"name": "app", "image": "app:bad"})
    world.ecs.update_service(cluster=CLUSTER, service="web", taskDefinition=bad)
    record = wait_for(
        lambda: (r := _records(world)[0])["status"].startswith("ROLLBACK") and r, what="rollback"
    )
    assert record["deploymentCircuitBreaker"]["threshold"] == 1
    assert record["deploymentCircuitBreaker"]["failureCount"] >= 1


# botocore DeploymentCircuitBreaker.resetOnHealthyTask: "When set to true, a task that reaches a
# healthy state resets the failure count to 0. ... The default is true."
@pytest.mark.parametrize("reset", [True, False])
def test_reset_on_healthy_task(world: World, ecs_emulator: Emulator, reset: bool) -> None:
    good = world.register("web", {"name": "app", "image": "app:1"})
    breaker = {"enable": True, "rollback": True, "resetOnHealthyTask": reset}
    config = {"deploymentCircuitBreaker": breaker, "minimumHealthyPercent": 0}
    world.create_service("web", good, breaker=None, desiredCount=2, deploymentConfiguration=config)
    world.steady("web")
    # Two tasks fail to start, then tasks start: under the threshold (3) either way.
    ecs_emulator.faults.set_for_image("app:2", Fault.transient_pull_failure(2))
    new = world.register("web", {"name": "app", "image": "app:2"})
    answer = world.ecs.update_service(cluster=CLUSTER, service="web", taskDefinition=new)
    ours = answer["service"]["deployments"][0]["id"]
    service = world.steady("web", timeout=20)
    assert service["deployments"][0]["id"] == ours
    failed_tasks = service["deployments"][0]["failedTasks"]
    assert failed_tasks == (0 if reset else 2)


def test_modes_validate_and_reset_restores_them(ecs_emulator: Emulator) -> None:
    assert ecs_emulator.modes == EmulatorModes()  # the session emulator's constructor value
    for bad in (
        {"rollback": "sideways"},
        {"service_deployment_ids": "uuid"},
        {"list_tasks": "picky"},
        {"codedeploy_targets_before_start": "maybe"},
        {"event_dedup": "yes"},
        {"current_service_deployment_lag": -1},
        {"codedeploy_start_delay": -5.0},
    ):
        with pytest.raises(InputError):
            EmulatorModes(**bad)
    with pytest.raises(InputError):
        ecs_emulator.modes = "reuse"  # type: ignore[assignment]
    _set(ecs_emulator, rollback="reuse", event_dedup=True)
    assert ecs_emulator.modes.rollback == "reuse"
    ecs_emulator.reset()
    assert ecs_emulator.modes == EmulatorModes()


def test_cli_modes_from_flags_and_faults_file(tmp_path: Path) -> None:
    faults = tmp_path / "faults.yml"
    faults.write_text(
        "images: {'app:2': 'transient-pull-failure:2:timeout'}\n"
        "api: [{operation: DescribeServices, kind: throttle, rate: 0.5}]\n"
        "modes: {rollback: reuse, service_deployment_skew: -3, list_tasks: strict}\n"
    )
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(
        [
            "--faults-file",
            str(faults),
            "--mode",
            "event_dedup=true",
            "--mode",
            "list_tasks=lenient",  # the command line wins over the file
            "--mode",
            "current-service-deployment-lag=2",
        ]
    )
    assert modes_from(args) == EmulatorModes(
        rollback="reuse",
        event_dedup=True,
        service_deployment_skew=-3,
        list_tasks="lenient",
        current_service_deployment_lag=2,
    )
    book = FaultBook()
    book.load(faults)
    assert book.for_container({"name": "app", "image": "app:2"}) == (
        Fault.transient_pull_failure(2, "timeout")
    )
    rng = random.Random(0)
    hits = [book.injected_for("ecs", "DescribeServices") is not None for _ in range(10)]
    assert hits == [rng.random() < 0.5 for _ in range(10)]
    for bad in (["--mode", "rollback"], ["--mode", "nope=1"], ["--mode", "event_dedup=perhaps"]):
        with pytest.raises(InputError):
            modes_from(parser.parse_args(bad))


def test_update_service_keeps_the_threshold_configuration(
    world: World, ecs_emulator: Emulator
) -> None:
    first = world.register("web", {"name": "app", "image": "app:1"})
    world.create_service("web", first)
    world.steady("web")
    breaker = {
        "enable": True,
        "rollback": False,
        "resetOnHealthyTask": False,
        "thresholdConfiguration": {"type": "COUNT", "value": 7},
    }
    second = world.register("web", {"name": "app", "image": "app:2"})
    world.ecs.update_service(
        cluster=CLUSTER,
        service="web",
        taskDefinition=second,
        deploymentConfiguration={"deploymentCircuitBreaker": breaker},
    )
    described = world.service("web")["deploymentConfiguration"]["deploymentCircuitBreaker"]
    assert described == breaker
    record = wait_for(
        lambda: (r := _records(world)[0])["status"] != "PENDING" and r, what="IN_PROGRESS"
    )
    assert record["deploymentCircuitBreaker"]["threshold"] == 7
