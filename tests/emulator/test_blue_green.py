"""ECS-native blue/green: lifecycle stages in order, bake time honoured."""

from __future__ import annotations

import re

from ecs_deploy.emulator import Emulator
from ecs_deploy.emulator.bluegreen import STAGES

from .support import World


def _stages(world: World, deployment_id: str) -> list[str]:
    prefix = re.escape(f"(service web) (deployment {deployment_id}) entered lifecycle stage ")
    pattern = re.compile(rf"{prefix}(\w+)\.")
    found = [m.group(1) for e in world.messages("web") if (m := pattern.fullmatch(e))]
    return list(reversed(found))


def test_stages_advance_in_order_and_bake_time_counts(world: World, ecs_emulator: Emulator) -> None:
    old = world.register("web", {"name": "app", "image": "app:1"})
    config = {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 1}
    world.create_service("web", old, deploymentConfiguration=config)
    world.steady("web")
    new = world.register("web", {"name": "app", "image": "app:2"})
    deployment = world.ecs.update_service(cluster="demo", service="web", taskDefinition=new)[
        "service"
    ]["deployments"][0]

    start = ecs_emulator.ticks
    service = world.steady("web", timeout=15)
    elapsed_ecs_seconds = (ecs_emulator.ticks - start) * ecs_emulator.ecs_seconds_per_tick
    assert service["taskDefinition"] == new
    assert _stages(world, deployment["id"]) == list(STAGES)
    assert elapsed_ecs_seconds >= 60  # bakeTimeInMinutes: 1
    assert {t["taskDefinitionArn"] for t in world.tasks(serviceName="web")} == {new}
