"""The emulator registers and runs what ECS accepts, not only what moto does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from botocore.exceptions import ClientError

from ecs_deploy.aws.model import register_task_definition_shape
from ecs_deploy.plan.taskdef import render

from .support import CLUSTER, World, wait_for

FIXTURES = Path(__file__).parents[1] / "fixtures" / "taskdefs"
SHAPE = register_task_definition_shape()


def ec2_definition(**container: Any) -> dict[str, Any]:
    return {
        "family": "legacy",
        "requiresCompatibilities": ["EC2"],
        "networkMode": "bridge",
        "containerDefinitions": [{"name": "api", "image": "api:1", **container}],
    }


def test_an_ec2_container_with_only_memory_reservation_registers_and_runs(world: World) -> None:
    """ECS: "you must specify a non-zero integer for one or both of memory or
    memoryReservation" when there is no task-level memory; moto wanted `memory` for EC2."""
    arn = world.ecs.register_task_definition(**ec2_definition(memoryReservation=128))[
        "taskDefinition"
    ]["taskDefinitionArn"]
    answer = world.ecs.run_task(cluster=CLUSTER, taskDefinition=arn, launchType="EC2")
    assert answer["failures"] == []
    task_arn = answer["tasks"][0]["taskArn"]
    wait_for(
        lambda: world.task(task_arn)["lastStatus"] in ("RUNNING", "STOPPED"), what="task started"
    )


@pytest.mark.parametrize(
    "container", [{}, {"memory": 0, "memoryReservation": 0}], ids=["neither", "zeros"]
)
def test_a_container_with_no_memory_anywhere_is_still_refused(
    world: World, container: dict[str, Any]
) -> None:
    with pytest.raises(ClientError, match="At least one of 'memory' or 'memoryReservation'"):
        world.ecs.register_task_definition(**ec2_definition(**container))


def test_task_level_memory_is_enough(world: World) -> None:
    answer = world.ecs.register_task_definition(**ec2_definition(), memory="512")
    assert answer["taskDefinition"]["memory"] == "512"


def test_an_image_is_still_required(world: World) -> None:
    definition = ec2_definition(memoryReservation=128)
    del definition["containerDefinitions"][0]["image"]
    with pytest.raises(ClientError, match="image"):
        world.ecs.register_task_definition(**definition)


@pytest.mark.parametrize("name", sorted(path.name for path in FIXTURES.iterdir()))
def test_every_fixture_registers_and_runs(world: World, name: str) -> None:
    document = yaml.safe_load((FIXTURES / name).read_text())
    params = render(document, SHAPE).register_kwargs()
    arn = world.ecs.register_task_definition(**params)["taskDefinition"]["taskDefinitionArn"]
    fargate = "FARGATE" in params.get("requiresCompatibilities", [])
    extra: dict[str, Any] = {"launchType": "FARGATE" if fargate else "EC2"}
    if params.get("networkMode") == "awsvpc":
        extra["networkConfiguration"] = world.network()
    answer = world.ecs.run_task(cluster=CLUSTER, taskDefinition=arn, **extra)
    assert answer["failures"] == [], answer["failures"]
