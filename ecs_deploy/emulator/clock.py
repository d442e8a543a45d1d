"""Emulated ECS time: each scheduler tick moves it on by a fixed amount.

Durations below are in ECS seconds. Because time advances per tick (not per wall-clock
second), what happens after N ticks is the same on a fast or a loaded machine.
"""

from __future__ import annotations

from dataclasses import dataclass

from ecs_deploy.errors import InputError

# How long things take in ECS seconds (roughly what Fargate shows).
PROVISIONING = 5.0  # ENI attached, task PROVISIONING -> PENDING
PULL = 15.0  # image pull, PENDING -> RUNNING (or failure to start)
STABLE_AFTER = 30.0  # a RUNNING task counts as healthy for a deployment after this
CRASH_AFTER = 10.0  # a crashing / OOM container dies this long after RUNNING
UNHEALTHY_AFTER = 20.0  # health checks fail this long after RUNNING
JOB_DURATION = 15.0  # a standalone task's containers exit this long after RUNNING
STOPPING = 5.0  # STOPPING -> STOPPED
PLACEMENT_RETRY = 60.0  # how often "unable to place a task" is repeated
STAGE = 10.0  # one CodeDeploy lifecycle event
# One timed ECS-native blue/green stage: ECS takes about a minute per stage, and a client
# that reads lifecycleStage each poll (the documented way) must be able to see each one.
BLUE_GREEN_STAGE = 60.0


@dataclass(slots=True)
class EcsClock:
    """`now` in ECS seconds; `advance()` is called once per scheduler tick."""

    ecs_seconds_per_tick: float
    now: float = 0.0
    wall_seconds_per_ecs_second: float = 1.0  # how long one ECS second takes on the wall
    ticks: int = 0  # advances so far

    @classmethod
    def scaled(cls, tick_seconds: float, seconds_per_ecs_minute: float) -> EcsClock:
        if tick_seconds <= 0 or seconds_per_ecs_minute <= 0:
            raise InputError("tick and seconds per ECS minute must be positive")
        return cls(
            ecs_seconds_per_tick=tick_seconds * 60.0 / seconds_per_ecs_minute,
            wall_seconds_per_ecs_second=seconds_per_ecs_minute / 60.0,
        )

    def advance(self) -> None:
        self.now += self.ecs_seconds_per_tick
        self.ticks += 1
