"""How long an event may wait: inside Lambda, never past the function's remaining time.

Lambda's runtime hands the handler a context whose get_remaining_time_in_millis() says how
long the function has left (the Lambda developer guide, "Using the Lambda context object to
retrieve Python function information"). The wait ends `margin` before that, which leaves
time to judge what was seen, answer and log; a deployment still going then is handed off to
the state-change handler, never abandoned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ecs_deploy.deploy.clock import Clock


class LambdaContext(Protocol):
    def get_remaining_time_in_millis(self) -> int: ...


@dataclass(frozen=True, slots=True)
class TimeBudget:
    """The moment (on `clock`) waiting must end; None: no limit but the run's timeout."""

    clock: Clock
    ends_at: float | None

    @classmethod
    def of(cls, context: LambdaContext | None, clock: Clock, margin: float) -> TimeBudget:
        if context is None:
            return cls(clock, None)
        remaining = max(0.0, context.get_remaining_time_in_millis() / 1000.0 - margin)
        return cls(clock, clock.now() + remaining)

    @property
    def limited(self) -> bool:
        return self.ends_at is not None

    def seconds_left(self, otherwise: float) -> float:
        """What is left of the budget (at least 0), or `otherwise` without one."""
        if self.ends_at is None:
            return otherwise
        return max(0.0, min(otherwise, self.ends_at - self.clock.now()))
