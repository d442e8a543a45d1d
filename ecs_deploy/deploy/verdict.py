"""A verdict: the outcome of one deployment (or task run) and why, in words a person can act on."""

from __future__ import annotations

from dataclasses import dataclass

from ecs_deploy.results import Outcome


@dataclass(frozen=True, slots=True)
class Verdict:
    outcome: Outcome
    reason: str
    # ECS (its circuit breaker, or CodeDeploy) started a rollback of its own: this run never
    # starts another one on top of it.
    ecs_rollback: bool = False
