from datetime import UTC, datetime, timedelta
from typing import Any

from ecs_deploy.deploy.live import read_live

T0 = datetime(2026, 11, 22, tzinfo=UTC)


def deployment(id_: str, status: str, rollout: str, td: str, minutes: int) -> dict[str, Any]:
    return {
        "id": id_,
        "status": status,
        "rolloutState": rollout,
        "taskDefinition": td,
        "createdAt": T0 + timedelta(minutes=minutes),
    }


def test_a_single_completed_deployment_is_settled() -> None:
    live = read_live({"deployments": [deployment("d1", "PRIMARY", "COMPLETED", "web:1", 0)]})
    assert live.settled and live.primary_id == "d1"
    assert live.stable_task_definition_arn == "web:1"


def test_a_failed_primary_is_not_settled_and_rollback_goes_to_the_last_completed() -> None:
    live = read_live(
        {
            "deployments": [
                deployment("d2", "PRIMARY", "FAILED", "web:2", 10),
                deployment("d1", "ACTIVE", "COMPLETED", "web:1", 0),
            ]
        }
    )
    assert not live.settled
    assert live.unsettled_reason == "its deployment d2 is FAILED"
    assert live.stable_task_definition_arn == "web:1"


def test_nothing_completed_means_nothing_to_roll_back_to() -> None:
    live = read_live({"deployments": [deployment("d1", "PRIMARY", "IN_PROGRESS", "web:1", 0)]})
    assert not live.settled
    assert live.stable_task_definition_arn is None
