"""What this run rolls back itself (rollback: on-failure), without AWS."""

from __future__ import annotations

from ecs_deploy.config.settings import RollbackPolicy, RollbackScope
from ecs_deploy.deploy.rollback import services_to_roll_back
from ecs_deploy.results import Outcome, ServiceResult
from tests.unit.deploy.support import started


def result(outcome: Outcome) -> ServiceResult:
    return ServiceResult("web", "demo", outcome, None, None)


def test_a_timeout_while_ecs_rolls_back_is_not_rolled_back_a_second_time() -> None:
    policy = RollbackPolicy(on_failure=True, scope=RollbackScope.FAILED)
    timed_out = {"web": result(Outcome.TIMED_OUT)}
    deployments = [started()]
    assert services_to_roll_back(timed_out, deployments, policy) == deployments
    # ECS's breaker (or CodeDeploy) had started its own rollback: never one on top of it.
    assert services_to_roll_back(timed_out, deployments, policy, {"web"}) == []


def test_what_ecs_rolled_back_is_never_rolled_back_again() -> None:
    policy = RollbackPolicy(on_failure=True, scope=RollbackScope.ALL)
    assert services_to_roll_back({"web": result(Outcome.ROLLED_BACK)}, [started()], policy) == []
