from typing import Any

import pytest

from ecs_deploy.config.settings import FailFastPolicy
from ecs_deploy.deploy.failfast import Observation, breaker_threshold, fail_fast
from ecs_deploy.results import Outcome, StoppedTaskGroup

POLICY = FailFastPolicy(max_start_failures=2, placement_grace_seconds=60)
PULL = StoppedTaskGroup(2, "TaskFailedToStart", "CannotPullContainerError: not found")


def service(breaker: bool) -> dict[str, Any]:
    return {
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": breaker, "rollback": breaker}
        }
    }


def deployment(**counts: int) -> dict[str, Any]:
    return {"desiredCount": 4, "runningCount": 0, "failedTasks": 0, **counts}


@pytest.mark.parametrize(("desired", "threshold"), [(1, 3), (4, 3), (7, 4), (10, 5), (1000, 200)])
def test_breaker_threshold_matches_ecs(desired: int, threshold: int) -> None:
    assert breaker_threshold(desired) == threshold


def test_start_failures_fail_fast_at_the_configured_count() -> None:
    one = StoppedTaskGroup(1, "TaskFailedToStart", "CannotPullContainerError: not found")
    assert fail_fast(service(True), Observation(deployment(), (one,), None), POLICY) is None
    verdict = fail_fast(service(True), Observation(deployment(), (PULL,), None), POLICY)
    assert verdict is not None
    assert verdict.outcome is Outcome.FAILED
    assert verdict.reason.startswith("2 tasks of the new revision failed to start: CannotPull")


def test_crash_loop_is_stalled_only_without_a_breaker() -> None:
    looping = Observation(deployment(failedTasks=3, runningCount=1), (), None)
    assert fail_fast(service(True), looping, POLICY) is None  # ECS will decide
    verdict = fail_fast(service(False), looping, POLICY)
    assert verdict is not None and verdict.outcome is Outcome.STALLED
    assert "1/4 run" in verdict.reason
    assert (
        fail_fast(service(False), Observation(deployment(failedTasks=2), (), None), POLICY) is None
    )


def test_unplaceable_tasks_stall_after_the_grace() -> None:
    message = "(service web) was unable to place a task because no container instance met ..."
    waiting = Observation(deployment(), (), 59.0, message)
    assert fail_fast(service(True), waiting, POLICY) is None
    verdict = fail_fast(service(True), Observation(deployment(), (), 60.0, message), POLICY)
    assert verdict is not None and verdict.outcome is Outcome.STALLED
    assert message in verdict.reason
