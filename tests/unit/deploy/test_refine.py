from ecs_deploy.deploy.verdict import Verdict, refine
from ecs_deploy.results import Outcome

FAILED = Verdict(Outcome.FAILED, "ECS deployment circuit breaker: tasks failed to start.")


def test_without_the_api_the_verdict_stands() -> None:
    assert refine(FAILED, None) == FAILED


def test_ecs_rolling_back_makes_it_rolled_back_with_its_reason() -> None:
    record = {"status": "ROLLBACK_IN_PROGRESS", "statusReason": "circuit breaker tripped"}
    refined = refine(FAILED, record)
    assert refined.outcome is Outcome.ROLLED_BACK
    assert refined.reason.endswith("(circuit breaker tripped)")


def test_a_failed_rollback_is_a_failure_that_says_so() -> None:
    refined = refine(FAILED, {"status": "ROLLBACK_FAILED"})
    assert refined.outcome is Outcome.FAILED
    assert "rollback failed too" in refined.reason


def test_success_is_never_refined_away() -> None:
    success = Verdict(Outcome.SUCCEEDED, "completed")
    assert refine(success, {"status": "ROLLBACK_SUCCESSFUL"}) == success
