"""pytest fixtures: one emulator per test session, wiped before each test that asks for it.

    def test_deploy(ecs_emulator):
        ecs = ecs_emulator.client("ecs")
        ...

Nothing is set globally (no environment variables); pass `ecs_emulator.endpoint_url` to a
subprocess yourself.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .emulator import Emulator


@pytest.fixture(scope="session")
def ecs_emulator_session() -> Iterator[Emulator]:
    """The session's emulator (not reset between tests: use `ecs_emulator`)."""
    with Emulator(tick_seconds=0.02, seconds_per_ecs_minute=0.4) as emulator:
        yield emulator


@pytest.fixture
def ecs_emulator(ecs_emulator_session: Emulator) -> Emulator:
    """The session's emulator with no resources, faults or recorded calls."""
    ecs_emulator_session.reset()
    return ecs_emulator_session
