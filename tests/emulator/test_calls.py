"""The call recorder."""

from __future__ import annotations

from ecs_deploy.emulator import Emulator

from .support import World


def test_calls_are_recorded_with_service_and_operation(
    world: World, ecs_emulator: Emulator
) -> None:
    ecs_emulator.calls.clear()
    arn = world.register("web", {"name": "app", "image": "app:1"})
    world.ecs.describe_task_definition(taskDefinition=arn)
    world.ecs.list_clusters()
    ecs_emulator.client("ec2").describe_vpcs()

    operations = [(c.service, c.operation) for c in ecs_emulator.calls.operations()]
    assert operations == [
        ("ecs", "RegisterTaskDefinition"),
        ("ecs", "DescribeTaskDefinition"),
        ("ecs", "ListClusters"),
        ("ec2", "DescribeVpcs"),
    ]
    assert [c.operation for c in ecs_emulator.calls.mutating()] == ["RegisterTaskDefinition"]
    assert ecs_emulator.calls.count("ListClusters") == 1
    stamps = [c.at for c in ecs_emulator.calls.operations()]
    assert stamps == sorted(stamps)
    ecs_emulator.calls.clear()
    assert ecs_emulator.calls.operations() == []


def test_reset_wipes_resources_faults_and_calls(world: World, ecs_emulator: Emulator) -> None:
    world.register("web", {"name": "app", "image": "app:1"})
    ecs_emulator.faults.set_run_task_capacity_missing(True)
    ecs_emulator.reset()
    assert ecs_emulator.calls.operations() == []
    assert not ecs_emulator.faults.run_task_capacity_missing
    assert ecs_emulator.client("ecs").list_clusters()["clusterArns"] == []
