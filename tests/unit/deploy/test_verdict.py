from typing import Any

from ecs_deploy.deploy.verdict import judge
from ecs_deploy.results import Outcome

OURS = "arn:aws:ecs:us-east-1:1:task-definition/web:2"
OLD = "arn:aws:ecs:us-east-1:1:task-definition/web:1"


def service(task_definition: str, *deployments: dict[str, Any]) -> dict[str, Any]:
    return {
        "serviceName": "web",
        "taskDefinition": task_definition,
        "deployments": list(deployments),
    }


def deployment(id_: str, status: str, rollout: str | None, td: str, **extra: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {"id": id_, "status": status, "taskDefinition": td, **extra}
    if rollout is not None:
        fields["rolloutState"] = rollout
    return fields


def test_in_progress_has_no_verdict() -> None:
    described = service(
        OURS,
        deployment("d2", "PRIMARY", "IN_PROGRESS", OURS),
        deployment("d1", "ACTIVE", "COMPLETED", OLD),
    )
    assert judge(described, "d2", OURS) is None


def test_completed_on_our_revision_succeeds() -> None:
    verdict = judge(service(OURS, deployment("d2", "PRIMARY", "COMPLETED", OURS)), "d2", OURS)
    assert verdict is not None and verdict.outcome is Outcome.SUCCEEDED


def test_breaker_rollback_is_never_a_success() -> None:
    # What services_stable calls success: one deployment, running == desired, on the OLD revision.
    described = service(
        OLD,
        deployment("d3", "PRIMARY", "IN_PROGRESS", OLD),
        deployment(
            "d2",
            "ACTIVE",
            "FAILED",
            OURS,
            rolloutStateReason="ECS deployment circuit breaker: tasks failed to start.",
        ),
    )
    verdict = judge(described, "d2", OURS)
    assert verdict is not None
    assert verdict.outcome is Outcome.ROLLED_BACK
    assert "circuit breaker" in verdict.reason


def test_failed_without_rollback_is_failed() -> None:
    described = service(
        OURS,
        deployment("d2", "PRIMARY", "FAILED", OURS, rolloutStateReason="tasks failed to start"),
    )
    verdict = judge(described, "d2", OURS)
    assert verdict is not None and verdict.outcome is Outcome.FAILED


def test_rolled_back_service_that_is_stable_again_is_not_success() -> None:
    described = service(
        OLD, deployment("d3", "PRIMARY", "COMPLETED", OLD, runningCount=2, desiredCount=2)
    )
    verdict = judge(described, "d2", OURS)
    assert verdict is not None and verdict.outcome is Outcome.SUPERSEDED


def test_a_newer_deployment_of_our_revision_counts_as_ours() -> None:
    described = service(OURS, deployment("d4", "PRIMARY", "COMPLETED", OURS))
    verdict = judge(described, "d2", OURS)
    assert verdict is not None and verdict.outcome is Outcome.SUCCEEDED


def test_without_rollout_state_fall_back_to_counts_of_our_deployment() -> None:
    settled = service(
        OURS,
        deployment("d2", "PRIMARY", None, OURS, runningCount=2, desiredCount=2, pendingCount=0),
    )
    assert judge(settled, "d2", OURS).outcome is Outcome.SUCCEEDED  # type: ignore[union-attr]
    draining = service(
        OURS,
        deployment("d2", "PRIMARY", None, OURS, runningCount=2, desiredCount=2, pendingCount=0),
        deployment("d1", "ACTIVE", None, OLD, runningCount=1, desiredCount=0),
    )
    assert judge(draining, "d2", OURS) is None


def test_scale_only_is_judged_on_the_counts_of_the_primary() -> None:
    scaling = service(
        OURS, deployment("d2", "PRIMARY", "COMPLETED", OURS, runningCount=2, desiredCount=4)
    )
    assert judge(scaling, None, OURS) is None
    scaled = service(
        OURS, deployment("d2", "PRIMARY", "COMPLETED", OURS, runningCount=4, desiredCount=4)
    )
    verdict = judge(scaled, None, OURS)
    assert verdict is not None and verdict.outcome is Outcome.SUCCEEDED


def test_a_read_from_before_our_update_is_not_superseded() -> None:
    from datetime import UTC, datetime, timedelta

    ours_created = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    older = deployment(
        "d1", "PRIMARY", "COMPLETED", OLD, createdAt=ours_created - timedelta(minutes=5)
    )
    stale = service(OLD, older)
    assert judge(stale, "d2", OURS, started=ours_created) is None
    newer = deployment(
        "d3", "PRIMARY", "IN_PROGRESS", OLD, createdAt=ours_created + timedelta(seconds=30)
    )
    verdict = judge(service(OLD, newer), "d2", OURS, started=ours_created)
    assert verdict is not None and verdict.outcome is Outcome.SUPERSEDED
