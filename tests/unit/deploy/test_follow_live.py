"""The event path's "already deploying this revision" (docs/lambda.md, "A repeated event"):
read from the PRIMARY deployment, never from the service's taskDefinition alone (after a
failed deployment that still names the failed revision, deploy/live.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ecs_deploy.deploy.live import read_live
from ecs_deploy.deploy.rollback import rollback_plan
from ecs_deploy.deploy.started import StartedDeployment
from ecs_deploy.plan.deployment import FollowedDeployment, ServicePlan, TaskDefinitionPlan

WEB_2 = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2"
WEB_1 = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1"
CREATED = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def deployment(id_: str, status: str, arn: str, state: str) -> dict[str, Any]:
    return {
        "id": id_,
        "status": status,
        "taskDefinition": arn,
        "rolloutState": state,
        "createdAt": CREATED,
    }


def test_a_primary_in_progress_on_the_revision_is_being_deployed() -> None:
    live = read_live(
        {
            "deployments": [
                deployment("ecs-svc/2", "PRIMARY", WEB_2, "IN_PROGRESS"),
                deployment("ecs-svc/1", "ACTIVE", WEB_1, "COMPLETED"),
            ]
        }
    )
    assert live.deploying(WEB_2) and not live.landed(WEB_2)
    assert not live.deploying(WEB_1)
    assert live.primary_created_at == CREATED


def test_a_rollback_in_progress_is_not_a_deployment_of_the_failed_revision() -> None:
    # ECS rolls ecs-svc/2 (web:2) back: the PRIMARY deployment deploys web:1.
    live = read_live(
        {
            "deployments": [
                deployment("ecs-svc/3", "PRIMARY", WEB_1, "IN_PROGRESS"),
                deployment("ecs-svc/2", "ACTIVE", WEB_2, "FAILED"),
            ]
        }
    )
    assert not live.deploying(WEB_2) and not live.landed(WEB_2)


def test_a_completed_primary_has_landed() -> None:
    live = read_live({"deployments": [deployment("ecs-svc/2", "PRIMARY", WEB_2, "COMPLETED")]})
    assert live.landed(WEB_2) and not live.deploying(WEB_2)


def test_a_rollback_of_a_followed_deployment_is_an_update_of_its_own() -> None:
    plan = ServicePlan(
        name="web",
        cluster="demo",
        current_task_definition_arn=WEB_2,
        task_definition=TaskDefinitionPlan("web", {}, WEB_2, changed=False),
        force_new_deployment=False,
        desired_count=None,
        timeout_seconds=60.0,
        rollback_task_definition_arn=WEB_1,
        follows=FollowedDeployment("ecs-svc/2", CREATED),
    )
    started = StartedDeployment(plan, WEB_2, False, "ecs-svc/2", 0.0, CREATED, followed=True)
    back = rollback_plan(started, WEB_1)
    assert back.follows is None
    assert back.needs_update  # it deploys web:1 with UpdateService
