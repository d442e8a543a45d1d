"""Failure modes of service tasks, chosen by image, container name or docker label."""

from __future__ import annotations

from typing import Any

import pytest

from ecs_deploy.emulator import FAULT_LABEL, Emulator, Fault
from ecs_deploy.emulator.faults import parse_assignment, parse_fault
from ecs_deploy.errors import InputError

from .support import World, wait_for


def _first_stopped(world: World, service: str = "web") -> dict[str, Any]:
    def stopped() -> dict[str, Any] | None:
        found = world.tasks(serviceName=service, desiredStatus="STOPPED")
        return next((t for t in found if t["lastStatus"] == "STOPPED"), None)

    return wait_for(stopped, what="a STOPPED task")


def _service_with(world: World, emulator: Emulator, fault: Fault) -> None:
    emulator.faults.set_for_image("app:bad", fault)
    arn = world.register("web", {"name": "app", "image": "app:bad"})
    world.create_service("web", arn, breaker=False)


@pytest.mark.parametrize(
    ("fault", "stop_code", "reason", "exit_code", "container_reason"),
    [
        (Fault.CRASH, "EssentialContainerExited", "Essential container in task exited", 1, None),
        (
            Fault.OOM,
            "EssentialContainerExited",
            "Essential container in task exited",
            137,
            "OutOfMemoryError: Container killed due to memory usage",
        ),
        (
            Fault.exit_code(3),
            "EssentialContainerExited",
            "Essential container in task exited",
            3,
            None,
        ),
    ],
)
def test_containers_that_exit(
    world: World,
    ecs_emulator: Emulator,
    fault: Fault,
    stop_code: str,
    reason: str,
    exit_code: int,
    container_reason: str | None,
) -> None:
    _service_with(world, ecs_emulator, fault)
    task = _first_stopped(world)
    assert (task["stopCode"], task["stoppedReason"]) == (stop_code, reason)
    assert "startedAt" in task and "stoppedAt" in task
    (container,) = task["containers"]
    assert container["exitCode"] == exit_code
    assert container.get("reason") == container_reason


@pytest.mark.parametrize(
    ("fault", "prefix"),
    [
        (
            Fault.PULL_FAILURE,
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): ",
        ),
        (
            Fault.MISSING_SECRET,
            "ResourceInitializationError: unable to pull secrets or registry auth: ",
        ),
    ],
)
def test_tasks_that_fail_to_start(
    world: World, ecs_emulator: Emulator, fault: Fault, prefix: str
) -> None:
    _service_with(world, ecs_emulator, fault)
    task = _first_stopped(world)
    assert task["stopCode"] == "TaskFailedToStart"
    assert task["stoppedReason"].startswith(prefix)
    assert "startedAt" not in task
    (container,) = task["containers"]
    assert "exitCode" not in container
    assert container["reason"].startswith(prefix)
    if fault == Fault.PULL_FAILURE:
        assert task["stoppedReason"].endswith("not found")
    failed = wait_for(lambda: world.service("web")["deployments"][0]["failedTasks"] >= 2)
    assert failed


def test_unhealthy_tasks_run_then_are_stopped(world: World, ecs_emulator: Emulator) -> None:
    _service_with(world, ecs_emulator, Fault.UNHEALTHY)
    wait_for(
        lambda: any(t["lastStatus"] == "RUNNING" for t in world.tasks(serviceName="web")),
        what="RUNNING",
    )
    task = _first_stopped(world)
    assert task["healthStatus"] == "UNHEALTHY"
    assert task["stoppedReason"] == "Task failed container health checks"
    assert task["containers"][0]["healthStatus"] == "UNHEALTHY"
    assert "startedAt" in task


def test_never_placed_tasks_repeat_the_placement_event(
    world: World, ecs_emulator: Emulator
) -> None:
    _service_with(world, ecs_emulator, Fault.NEVER_PLACED)
    unable = "(service web) was unable to place a task because no container instance met all"

    def twice() -> bool:
        return sum(m.startswith(unable) for m in world.messages("web")) >= 2

    wait_for(twice, what="two placement events")
    assert world.tasks(serviceName="web") == []
    assert world.service("web")["deployments"][0]["rolloutState"] == "IN_PROGRESS"


def test_fault_by_container_name(world: World, ecs_emulator: Emulator) -> None:
    ecs_emulator.faults.set_for_container("app", Fault.CRASH)
    arn = world.register("web", {"name": "app", "image": "any:1"})
    world.create_service("web", arn, breaker=False)
    assert _first_stopped(world)["containers"][0]["exitCode"] == 1


def test_fault_by_docker_label(world: World) -> None:
    arn = world.register(
        "web", {"name": "app", "image": "any:1", "dockerLabels": {FAULT_LABEL: "oom"}}
    )
    world.create_service("web", arn, breaker=False)
    assert _first_stopped(world)["containers"][0]["exitCode"] == 137


def test_clear_forgets_faults(world: World, ecs_emulator: Emulator) -> None:
    ecs_emulator.faults.set_for_image("app:1", Fault.CRASH)
    ecs_emulator.faults.clear()
    arn = world.register("web", {"name": "app", "image": "app:1"})
    world.create_service("web", arn)
    world.steady("web")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("crash", Fault.CRASH),
        ("OOM", Fault.OOM),
        ("pull-failure", Fault.PULL_FAILURE),
        ("missing_secret", Fault.MISSING_SECRET),
        ("never-placed", Fault.NEVER_PLACED),
        ("unhealthy", Fault.UNHEALTHY),
        ("keep-running", Fault.KEEP_RUNNING),
        ("exit:1", Fault.exit_code(1)),
        ("exit=2", Fault.exit_code(2)),
    ],
)
def test_parse_fault(text: str, expected: Fault) -> None:
    assert parse_fault(text) == expected


def test_parse_assignment_keeps_registry_ports_and_tags() -> None:
    assert parse_assignment("reg:5000/app:bad=crash") == ("reg:5000/app:bad", Fault.CRASH)
    assert parse_assignment("migrate=exit=1") == ("migrate", Fault.exit_code(1))


@pytest.mark.parametrize("text", ["nonsense", "exit:x", "exit_code", "=crash", "app"])
def test_bad_faults_are_input_errors(text: str) -> None:
    with pytest.raises(InputError):
        parse_assignment(text) if "=" in text or text == "app" else parse_fault(text)
