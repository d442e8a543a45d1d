"""CodeDeploy verdicts and ECS-native blue/green stage reading: pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ecs_deploy.deploy import ecs_bluegreen
from ecs_deploy.deploy.codedeploy import judge_codedeploy, traffic_state
from ecs_deploy.deploy.continuing import ServiceDeploymentRef, judge_service_deployment
from ecs_deploy.errors import InputError
from ecs_deploy.results import Outcome

ERROR = {"code": "ECS_UPDATE_ERROR", "message": "cannot reach a steady state"}


@pytest.mark.parametrize(
    ("info", "wait_until", "outcome"),
    [
        ({"status": "InProgress"}, None, None),
        ({"status": "Ready"}, None, None),
        ({"status": "Ready"}, "READY", Outcome.READY),
        ({"status": "Succeeded"}, None, Outcome.SUCCEEDED),
        ({"status": "Failed", "errorInformation": ERROR}, None, Outcome.FAILED),
        (
            {
                "status": "Failed",
                "errorInformation": ERROR,
                "rollbackInfo": {"rollbackMessage": "Automatic rollback"},
            },
            None,
            Outcome.ROLLED_BACK,
        ),
        ({"status": "Stopped"}, None, Outcome.FAILED),
        (
            {"status": "Stopped", "rollbackInfo": {"rollbackDeploymentId": "d-2"}},
            None,
            Outcome.ROLLED_BACK,
        ),
    ],
)
def test_codedeploy_verdicts(
    info: dict[str, object], wait_until: str | None, outcome: Outcome | None
) -> None:
    verdict = judge_codedeploy(info, wait_until)
    assert (verdict.outcome if verdict else None) is outcome


def test_a_failure_names_the_error_and_the_rollback() -> None:
    info = {
        "status": "Failed",
        "errorInformation": ERROR,
        "rollbackInfo": {"rollbackMessage": "rb"},
    }
    verdict = judge_codedeploy(info, None)
    assert verdict is not None
    assert (
        verdict.reason
        == "CodeDeploy deployment failed: ECS_UPDATE_ERROR: cannot reach a steady state; rb"
    )


def test_traffic_follows_the_lifecycle_events() -> None:
    test_only = [("AllowTestTraffic", "Succeeded"), ("AllowTraffic", "Pending")]
    assert traffic_state(test_only, "Ready").startswith("test: replacement")
    assert traffic_state([("AllowTraffic", "Succeeded")], "Succeeded").startswith(
        "production: replacement"
    )
    assert traffic_state([("AllowTraffic", "Succeeded")], "Stopped").startswith(
        "production: original"
    )


def test_stage_events_of_our_deployment_only() -> None:
    message = "(service web) (deployment ecs-svc/1) entered lifecycle stage BAKE_TIME."
    assert ecs_bluegreen.entered_stage(message, "ecs-svc/1") == "BAKE_TIME"
    assert ecs_bluegreen.entered_stage(message, "ecs-svc/2") is None
    assert (
        ecs_bluegreen.entered_stage("(service web) has reached a steady state.", "ecs-svc/1")
        is None
    )


def test_stages_are_reached_in_order() -> None:
    assert ecs_bluegreen.reached("BAKE_TIME", "POST_TEST_TRAFFIC_SHIFT")
    assert not ecs_bluegreen.reached("SCALE_UP", "POST_TEST_TRAFFIC_SHIFT")


def test_the_hook_awaiting_action() -> None:
    record = {
        "lifecycleHookDetails": [
            {"hookId": "old", "status": "SUCCEEDED"},
            {"hookId": "h2", "status": "AWAITING_ACTION"},
        ]
    }
    assert ecs_bluegreen.awaiting_hook(record) == "h2"
    assert ecs_bluegreen.awaiting_hook({}) is None


def test_our_service_deployment_by_number_else_not_the_one_before() -> None:
    since = datetime(2025, 1, 1, tzinfo=UTC)
    before = {
        "serviceDeploymentArn": "arn:aws:ecs:r:1:service-deployment/c/web/111",
        "createdAt": since - timedelta(seconds=1),
        "finishedAt": since - timedelta(milliseconds=100),
    }
    ours = {
        "serviceDeploymentArn": "arn:aws:ecs:r:1:service-deployment/c/web/abc",
        "createdAt": since,
    }
    assert ecs_bluegreen.ours([ours, before], since) is ours
    numbered = {**ours, "serviceDeploymentArn": "arn:aws:ecs:r:1:service-deployment/c/web/222"}
    assert ecs_bluegreen.ours([before, numbered], since, "ecs-svc/222") is numbered


def test_after_continue_the_service_deployment_decides() -> None:
    assert judge_service_deployment({"status": "IN_PROGRESS"}, "h1") is None
    done = judge_service_deployment({"status": "SUCCESSFUL"}, "h1")
    assert done is not None and done.outcome is Outcome.SUCCEEDED
    rolled = judge_service_deployment({"status": "ROLLBACK_SUCCESSFUL"}, "h1")
    assert rolled is not None and rolled.outcome is Outcome.ROLLED_BACK
    again = judge_service_deployment(
        {
            "status": "IN_PROGRESS",
            "lifecycleStage": "BAKE_TIME",
            "lifecycleHookDetails": [{"hookId": "h2", "status": "AWAITING_ACTION"}],
        },
        "h1",
    )
    assert again is not None and again.outcome is Outcome.READY and "h2" in again.reason


def test_service_deployment_arns_are_told_from_codedeploy_ids() -> None:
    ref = ServiceDeploymentRef.parse("arn:aws:ecs:us-east-1:1:service-deployment/demo/web/42")
    assert ref is not None and (ref.cluster, ref.service) == ("demo", "web")
    assert ServiceDeploymentRef.parse("d-ABCDEF123") is None
    with pytest.raises(InputError):
        ServiceDeploymentRef.parse("arn:aws:ecs:us-east-1:1:service-deployment/demo")
