from __future__ import annotations

import pytest

from ecs_deploy.emulator import Emulator

from .support import World, make_world


@pytest.fixture
def world(ecs_emulator: Emulator) -> World:
    return make_world(ecs_emulator)
