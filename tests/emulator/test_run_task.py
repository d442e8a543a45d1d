"""Standalone tasks: every container, exit codes, failures[], StopTask, Fargate networking."""

from __future__ import annotations

from typing import Any

from ecs_deploy.emulator import Emulator, Fault

from .support import CLUSTER, World, wait_for


def _run(world: World, arn: str, **extra: Any) -> dict[str, Any]:
    return dict(
        world.ecs.run_task(
            cluster=CLUSTER,
            taskDefinition=arn,
            launchType="FARGATE",
            networkConfiguration=extra.pop("networkConfiguration", world.network()),
            **extra,
        )
    )


def _stopped(world: World, arn: str) -> dict[str, Any]:
    return wait_for(
        lambda: (t := world.task(arn))["lastStatus"] == "STOPPED" and t, what="task STOPPED"
    )


def test_every_container_is_modelled_with_its_own_exit_code(
    world: World, ecs_emulator: Emulator
) -> None:
    ecs_emulator.faults.set_for_container("migrate", Fault.exit_code(1))
    arn = world.register(
        "migrate",
        {"name": "migrate", "image": "app:1"},
        {"name": "proxy", "image": "envoy:1", "essential": False},
    )
    answer = _run(world, arn, startedBy="ci")
    assert answer["failures"] == []
    (task,) = answer["tasks"]
    assert [c["name"] for c in task["containers"]] == ["migrate", "proxy"]
    assert task["lastStatus"] == "PROVISIONING" and task["group"] == "family:migrate"

    seen = set()

    def stopped() -> dict[str, Any] | None:
        current = world.task(task["taskArn"])
        seen.add(current["lastStatus"])
        return current if current["lastStatus"] == "STOPPED" else None

    final = wait_for(stopped, what="task STOPPED")
    assert {"PENDING", "RUNNING"} <= seen
    assert final["stopCode"] == "EssentialContainerExited"
    assert final["startedBy"] == "ci"
    assert {c["name"]: c["exitCode"] for c in final["containers"]} == {"migrate": 1, "proxy": 0}


def test_a_job_exits_zero_by_default(world: World) -> None:
    arn = world.register("job", {"name": "job", "image": "app:1"}, {"name": "b", "image": "b:1"})
    (task,) = _run(world, arn, count=1)["tasks"]
    final = _stopped(world, task["taskArn"])
    assert [c["exitCode"] for c in final["containers"]] == [0, 0]


def test_keep_running_tasks_run_until_stopped(world: World, ecs_emulator: Emulator) -> None:
    ecs_emulator.faults.set_for_container("server", Fault.KEEP_RUNNING)
    arn = world.register("server", {"name": "server", "image": "app:1"})
    (task,) = _run(world, arn)["tasks"]
    wait_for(lambda: world.task(task["taskArn"])["lastStatus"] == "RUNNING", what="RUNNING")
    ticks = ecs_emulator.ticks
    wait_for(lambda: ecs_emulator.ticks > ticks + 15, what="15 ticks")
    assert world.task(task["taskArn"])["lastStatus"] == "RUNNING"

    world.ecs.stop_task(cluster=CLUSTER, task=task["taskArn"], reason="enough")
    final = _stopped(world, task["taskArn"])
    assert (final["stopCode"], final["stoppedReason"]) == ("UserInitiated", "enough")
    assert final["desiredStatus"] == "STOPPED"


def test_missing_capacity_gives_failures_and_no_tasks(world: World, ecs_emulator: Emulator) -> None:
    ecs_emulator.faults.set_run_task_capacity_missing(True)
    arn = world.register("job", {"name": "job", "image": "app:1"})
    answer = _run(world, arn, count=2)
    assert answer["tasks"] == []
    assert [f["reason"] for f in answer["failures"]] == ["RESOURCE:MEMORY", "RESOURCE:MEMORY"]
    ecs_emulator.faults.set_run_task_capacity_missing(False)
    assert len(_run(world, arn)["tasks"]) == 1


def test_fargate_without_security_groups_or_memory_or_dns_hostnames(world: World) -> None:
    # The VPC made by make_world has no DNS hostnames; no container sets memory.
    arn = world.register("job", {"name": "job", "image": "app:1"})
    answer = _run(world, arn, networkConfiguration=world.network(security_groups=False))
    (task,) = answer["tasks"]
    (attachment,) = task["attachments"]
    names = {d["name"] for d in attachment["details"]}
    assert {"subnetId", "networkInterfaceId", "privateIPv4Address"} <= names
    assert _stopped(world, task["taskArn"])["containers"][0]["exitCode"] == 0


def test_stop_task_of_unknown_task_is_a_client_error(world: World) -> None:
    try:
        world.ecs.stop_task(cluster=CLUSTER, task="0123456789abcdef0123456789abcdef")
    except world.ecs.exceptions.InvalidParameterException:
        return
    raise AssertionError("expected InvalidParameterException")
