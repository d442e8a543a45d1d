"""Transient task faults: pull failures that recover, and placement that is late."""

from __future__ import annotations

import dataclasses

import pytest

from ecs_deploy.emulator import Emulator, Fault
from ecs_deploy.emulator.faults import TRANSIENT_CAUSES, parse_fault
from ecs_deploy.errors import InputError

from .support import CLUSTER, World, wait_for

# What each cause makes a task's stoppedReason say (tasks.pull_failure_reason cites them):
# AWS Knowledge Center "CannotPullContainerError: You have reached your pull rate limit",
# Fargate's "dial tcp ...: i/o timeout", "Capacity is unavailable at this time..." (AWS
# Knowledge Center, ecs-fargate-runtask-capacity) and ResourceInitializationError.
EXPECTED = {
    "toomanyrequests": ("CannotPullContainerError:", "429 Too Many Requests", "toomanyrequests"),
    "timeout": ("CannotPullContainerError:", "i/o timeout"),
    "capacity": ("Capacity is unavailable at this time. Please try again later",),
    "resource-init": ("ResourceInitializationError:", "unable to retrieve ecr registry auth"),
}


@pytest.mark.parametrize("cause", TRANSIENT_CAUSES)
def test_transient_pull_failure_recovers(world: World, ecs_emulator: Emulator, cause: str) -> None:
    ecs_emulator.faults.set_for_image("app:1", Fault.transient_pull_failure(2, cause))
    definition = world.register("web", {"name": "app", "image": "app:1"})
    world.create_service("web", definition, desiredCount=1)  # breaker threshold 3: not tripped
    service = world.steady("web", timeout=20)
    assert service["taskDefinition"] == definition and service["runningCount"] == 1
    stopped = world.tasks(serviceName="web", desiredStatus="STOPPED")
    assert len(stopped) == 2
    for task in stopped:
        assert task["stopCode"] == "TaskFailedToStart"
        assert all(part in task["stoppedReason"] for part in EXPECTED[cause])
        assert all("exitCode" not in c for c in task["containers"])
    [running] = world.tasks(serviceName="web")
    assert running["lastStatus"] == "RUNNING"


def test_transient_failures_past_the_threshold_trip_the_breaker(
    world: World, ecs_emulator: Emulator
) -> None:
    good = world.register("web", {"name": "app", "image": "app:1"})
    world.create_service("web", good, desiredCount=1)
    world.steady("web")
    ecs_emulator.faults.set_for_image("app:2", Fault.transient_pull_failure(5))
    flaky = world.register("web", {"name": "app", "image": "app:2"})
    world.ecs.update_service(cluster=CLUSTER, service="web", taskDefinition=flaky)
    wait_for(lambda: any(c.value == "FAILED" for c in ecs_emulator.history), what="breaker tripped")
    assert world.steady("web", timeout=20)["taskDefinition"] == good


def test_permanent_pull_failure_variants() -> None:
    assert Fault.pull_failure() == Fault.PULL_FAILURE  # today's "not found"
    assert parse_fault("pull-failure:toomanyrequests") == Fault.pull_failure("toomanyrequests")
    assert parse_fault("transient-pull-failure:3:capacity") == Fault.transient_pull_failure(
        3, "capacity"
    )
    assert parse_fault("placement-delay:90:45") == Fault.placement_delay(90, 45)
    assert str(Fault.transient_pull_failure(2)) == "transient-pull-failure:2:toomanyrequests"
    for bad in ("transient-pull-failure:0", "transient-pull-failure:2:nope", "placement-delay:x"):
        with pytest.raises(InputError):
            parse_fault(bad)


def test_a_permanent_toomanyrequests_never_starts(world: World, ecs_emulator: Emulator) -> None:
    ecs_emulator.faults.set_for_image("app:1", Fault.pull_failure("toomanyrequests"))
    definition = world.register("web", {"name": "app", "image": "app:1"})
    world.create_service("web", definition, desiredCount=1, breaker=False)
    stopped = wait_for(
        lambda: len(t := world.tasks(serviceName="web", desiredStatus="STOPPED")) >= 3 and t,
        timeout=20,
        what="three failed starts",
    )
    assert all("toomanyrequests" in t["stoppedReason"] for t in stopped)


@pytest.mark.parametrize("dedup", [False, True])
def test_placement_delay_then_a_slow_pull(
    world: World, ecs_emulator: Emulator, dedup: bool
) -> None:
    ecs_emulator.modes = dataclasses.replace(ecs_emulator.modes, event_dedup=dedup)
    per_tick = ecs_emulator.ecs_seconds_per_tick
    ecs_emulator.faults.set_for_image("app:1", Fault.placement_delay(90, pull_seconds=45))
    definition = world.register("web", {"name": "app", "image": "app:1"})
    created = ecs_emulator.ticks
    world.create_service("web", definition, desiredCount=1)
    placed = wait_for(lambda: world.tasks(serviceName="web"), timeout=20, what="a task")[0]
    placed_tick = ecs_emulator.ticks
    assert (placed_tick - created) * per_tick >= 90 - per_tick
    assert placed["lastStatus"] in ("PROVISIONING", "PENDING")
    unable = [m for m in world.messages("web") if "was unable to place a task" in m]
    assert len(unable) == (1 if dedup else 2)  # ECS repeats it each minute; dedup once
    wait_for(
        lambda: world.task(placed["taskArn"])["lastStatus"] == "RUNNING",
        timeout=20,
        what="RUNNING",
    )
    # PROVISIONING (5 s) plus the 45 s pull, less a tick either side for the polling.
    assert (ecs_emulator.ticks - placed_tick) * per_tick >= 50 - 2 * per_tick
    assert world.steady("web", timeout=20)["runningCount"] == 1
