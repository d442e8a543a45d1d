"""Injected API faults (FaultBook.inject), seen through boto3 clients."""

from __future__ import annotations

import random
import time
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError

from ecs_deploy.emulator import ApiFault, Emulator
from ecs_deploy.errors import InputError

from .support import CLUSTER, World, wait_for


def _error(call: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as raised:
        call()
    response = raised.value.response
    return {
        "code": response["Error"]["Code"],
        "message": response["Error"]["Message"],
        "status": response["ResponseMetadata"]["HTTPStatusCode"],
    }


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        # ECS throttling: HTTP 400 ThrottlingException "Rate exceeded".
        ("throttle", {"code": "ThrottlingException", "message": "Rate exceeded", "status": 400}),
        # ECS's ServerException (botocore's ECS model), HTTP 500.
        ("500", {"code": "ServerException", "status": 500}),
        # AWS's common ServiceUnavailable, HTTP 503.
        ("503", {"code": "ServiceUnavailableException", "status": 503}),
    ],
)
def test_error_kinds(ecs_emulator: Emulator, kind: str, expected: dict[str, Any]) -> None:
    ecs = ecs_emulator.client("ecs")  # retries off
    ecs_emulator.faults.inject(ApiFault("ListClusters", kind))
    error = _error(ecs.list_clusters)
    assert {k: v for k, v in error.items() if k in expected} == expected
    [call] = ecs_emulator.calls.operations("ecs")
    assert call.fault == kind and call.faulted
    ecs_emulator.faults.clear_injected()
    assert ecs.list_clusters()["clusterArns"] == []


def test_reset_closes_the_connection(ecs_emulator: Emulator) -> None:
    ecs = ecs_emulator.client("ecs")
    ecs_emulator.faults.inject(ApiFault("ListClusters", "reset"))
    with pytest.raises(ConnectionClosedError):
        ecs.list_clusters()
    ecs_emulator.faults.clear()  # clear() clears injected faults too
    assert ecs.list_clusters()["clusterArns"] == []


def test_slow_answers_late_without_holding_the_emulator(ecs_emulator: Emulator) -> None:
    ecs = ecs_emulator.client("ecs")
    ecs_emulator.faults.inject(ApiFault("ListClusters", "slow", delay=0.5))
    ticks = ecs_emulator.ticks
    started = time.monotonic()
    assert ecs.list_clusters()["clusterArns"] == []
    assert time.monotonic() - started >= 0.5
    assert ecs_emulator.ticks > ticks  # the scheduler went on meanwhile
    [call] = ecs_emulator.calls.operations("ecs")
    assert call.fault == "slow" and not call.faulted


@pytest.mark.parametrize("kind", ["throttle", "500", "503", "reset"])
def test_botocore_retries_them(ecs_emulator: Emulator, kind: str) -> None:
    retrying = ecs_emulator.client(
        "ecs", config=Config(retries={"total_max_attempts": 3, "mode": "standard"})
    )
    ecs_emulator.faults.inject(ApiFault("ListClusters", kind))
    with pytest.raises((ClientError, ConnectionClosedError)):
        retrying.list_clusters()
    assert ecs_emulator.calls.count("ListClusters") == 3


def test_rate_is_deterministic(ecs_emulator: Emulator) -> None:
    ecs = ecs_emulator.client("ecs")

    def pattern() -> list[bool]:
        ecs_emulator.faults.inject(ApiFault("ListClusters", "throttle", rate=0.5, seed=7))
        hits = []
        for _ in range(20):
            try:
                ecs.list_clusters()
                hits.append(False)
            except ClientError:
                hits.append(True)
        ecs_emulator.faults.clear_injected()
        return hits

    first, second = pattern(), pattern()
    rng = random.Random(7)
    assert first == second == [rng.random() < 0.5 for _ in range(20)]
    assert 0 < sum(first) < 20


def test_for_seconds_expires(ecs_emulator: Emulator) -> None:
    ecs = ecs_emulator.client("ecs")
    injected = time.monotonic()
    ecs_emulator.faults.inject(ApiFault("*", "503", for_seconds=0.3))
    assert _error(ecs.list_clusters)["status"] == 503

    def answered() -> bool:
        try:
            ecs.list_clusters()
            return True
        except ClientError:
            return False

    wait_for(answered, timeout=10, what="the fault to expire")
    assert time.monotonic() - injected >= 0.3


def test_a_faulted_mutating_call_is_not_applied(world: World, ecs_emulator: Emulator) -> None:
    first = world.register("web", {"name": "app", "image": "app:1"})
    world.create_service("web", first)
    second = world.register("web", {"name": "app", "image": "app:2"})
    ecs_emulator.calls.clear()
    for kind in ("throttle", "500", "503"):
        ecs_emulator.faults.inject(ApiFault("UpdateService", kind))
        _error(
            lambda: world.ecs.update_service(cluster=CLUSTER, service="web", taskDefinition=second)
        )
        ecs_emulator.faults.clear_injected()
        service = world.service("web")
        assert service["taskDefinition"] == first and len(service["deployments"]) == 1
    assert ecs_emulator.calls.count("UpdateService") == 3
    assert ecs_emulator.calls.count_answered("UpdateService") == 0
    world.ecs.update_service(cluster=CLUSTER, service="web", taskDefinition=second)
    assert ecs_emulator.calls.count_answered("UpdateService") == 1
    assert world.service("web")["taskDefinition"] == second


def test_other_services_and_operations(ecs_emulator: Emulator) -> None:
    logs = ecs_emulator.client("logs")
    codedeploy = ecs_emulator.client("codedeploy")
    ecs_emulator.faults.inject(ApiFault("DescribeLogGroups", "503", service="logs"))
    ecs_emulator.faults.inject(ApiFault("*", "500", service="codedeploy"))
    assert _error(logs.describe_log_groups)["status"] == 503
    assert _error(codedeploy.list_applications)["code"] == "InternalFailure"
    assert ecs_emulator.client("ecs").list_clusters()["clusterArns"] == []  # ECS untouched
    assert logs.describe_log_streams  # other Logs operations are not hit
    ecs_emulator.faults.clear_injected()
    assert codedeploy.list_applications()["applications"] == []


def test_bad_api_faults_are_refused() -> None:
    for bad in (
        {"operation": "X", "kind": "boom"},
        {"operation": "X", "kind": "throttle", "rate": 2},
        {"operation": "", "kind": "throttle"},
        {"operation": "X", "kind": "slow", "for_seconds": 0},
    ):
        with pytest.raises(InputError):
            ApiFault(**bad)
