"""Which deployment a COMPLETED event is about: the named one, unless one failed at or after
it began (then the named one is ECS's rollback of it). ECS keeps a FAILED deployment in
deployments[] for a while, so an older failure may still be listed when a later deployment
completes (docs/lambda.md, "The state-change handler")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ecs_deploy.aws.state import EcsService
from ecs_deploy.events.kinds import COMPLETED, DeploymentStateChange
from ecs_deploy.events.state_change import _subject

BEGUN = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def service(failed_at: datetime) -> EcsService:
    deployments: list[dict[str, Any]] = [
        {
            "id": "ecs-svc/2",
            "status": "PRIMARY",
            "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3",
            "rolloutState": "COMPLETED",
            "createdAt": BEGUN,
            "updatedAt": BEGUN + timedelta(minutes=3),
        },
        {
            "id": "ecs-svc/1",
            "status": "ACTIVE",
            "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2",
            "rolloutState": "FAILED",
            "createdAt": failed_at - timedelta(minutes=5),
            "updatedAt": failed_at,
        },
    ]
    return EcsService.from_api(
        {"serviceName": "web", "status": "ACTIVE", "deployments": deployments, "events": []}
    )


def completed(deployment_id: str) -> DeploymentStateChange:
    return DeploymentStateChange(
        cluster="demo",
        service="web",
        deployment_id=deployment_id,
        event_name=COMPLETED,
        reason="ECS deployment completed.",
        updated_at=BEGUN + timedelta(minutes=3),
        region="us-east-1",
    )


def test_an_older_failed_deployment_still_listed_is_not_the_story() -> None:
    # ecs-svc/1 failed ten minutes before ecs-svc/2 began: ecs-svc/2 is a deployment of its
    # own, and its COMPLETED is its success, not a rollback of ecs-svc/1.
    subject = _subject(completed("ecs-svc/2"), service(BEGUN - timedelta(minutes=10)), None)  # type: ignore[arg-type]
    assert subject.deployment_id == "ecs-svc/2"


def test_a_failure_when_the_named_deployment_began_makes_it_the_rollback() -> None:
    # ECS creates its rollback deployment right after the failure (within FAILURE_SKEW).
    subject = _subject(completed("ecs-svc/2"), service(BEGUN - timedelta(seconds=1)), None)  # type: ignore[arg-type]
    assert subject.deployment_id == "ecs-svc/1"
