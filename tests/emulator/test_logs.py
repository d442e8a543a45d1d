"""Container output lands in the awslogs group and stream the task definition names."""

from __future__ import annotations

from ecs_deploy.emulator import Emulator, Fault

from .support import CLUSTER, World, wait_for


def _lines(emulator: Emulator, group: str, stream: str) -> list[str]:
    logs = emulator.client("logs")
    events = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)
    return [e["message"] for e in events["events"]]


def test_running_and_crashing_tasks_write_logs(world: World, ecs_emulator: Emulator) -> None:
    ecs_emulator.faults.set_for_image("app:bad", Fault.CRASH)
    arn = world.register("web", {"name": "app", "image": "app:bad"})
    (task,) = world.ecs.run_task(
        cluster=CLUSTER,
        taskDefinition=arn,
        launchType="FARGATE",
        networkConfiguration=world.network(),
    )["tasks"]
    task_id = task["taskArn"].rsplit("/", 1)[-1]
    wait_for(lambda: world.task(task["taskArn"])["lastStatus"] == "STOPPED", what="STOPPED")
    lines = _lines(ecs_emulator, "/ecs/web", f"ecs/app/{task_id}")
    assert lines[0] == "Starting app (app:bad)"
    assert any(line.startswith("Error: connection refused") for line in lines)


def test_oom_tasks_write_a_memory_error(world: World, ecs_emulator: Emulator) -> None:
    ecs_emulator.faults.set_for_container("app", Fault.OOM)
    arn = world.register("oom", {"name": "app", "image": "app:1"})
    (task,) = world.ecs.run_task(
        cluster=CLUSTER,
        taskDefinition=arn,
        launchType="FARGATE",
        networkConfiguration=world.network(),
    )["tasks"]
    task_id = task["taskArn"].rsplit("/", 1)[-1]
    wait_for(lambda: world.task(task["taskArn"])["lastStatus"] == "STOPPED", what="STOPPED")
    assert "fatal error: runtime: out of memory" in _lines(
        ecs_emulator, "/ecs/oom", f"ecs/app/{task_id}"
    )
