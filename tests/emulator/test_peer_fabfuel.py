"""fabfuel's ecs-deploy 1.17.0 (`ecs`) completes a normal deploy against the emulator.

Install it with scripts/install-peers.sh; the test skips when it is absent.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from ecs_deploy.emulator import Emulator

from .support import CLUSTER, World

ROOT = Path(__file__).resolve().parents[2]
FABFUEL = Path(os.environ.get("FABFUEL_ECS", ROOT / ".cache/peers/fabfuel/bin/ecs"))

pytestmark = [
    pytest.mark.peer,
    pytest.mark.skipif(not FABFUEL.is_file(), reason=f"{FABFUEL} not installed"),
]


def test_fabfuel_deploys_a_new_image(world: World, ecs_emulator: Emulator) -> None:
    old = world.register("web", {"name": "app", "image": "app:1"})
    world.create_service("web", old)
    world.steady("web")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "AWS_ENDPOINT_URL": ecs_emulator.endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    done = subprocess.run(
        [str(FABFUEL), "deploy", CLUSTER, "web", "--image", "app", "app:2", "--timeout", "60"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Deployment successful" in done.stdout
    service = world.steady("web")
    described = world.ecs.describe_task_definition(taskDefinition=service["taskDefinition"])
    assert described["taskDefinition"]["containerDefinitions"][0]["image"] == "app:2"
