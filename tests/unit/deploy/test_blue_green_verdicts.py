"""CodeDeploy verdicts and ECS-native blue/green stage reading: pure functions."""

from __future__ import annotations

from typing import Any

import pytest

from ecs_deploy.aws.state import CodeDeployDeployment, ServiceDeploymentRecord
from ecs_deploy.deploy.continuing import ServiceDeploymentRef, judge_service_deployment
from ecs_deploy.deploy.strategies import ecs_blue_green as ecs_bluegreen
from ecs_deploy.deploy.strategies.codedeploy import judge_codedeploy, traffic_state
from ecs_deploy.errors import InputError
from ecs_deploy.results import Outcome

ERROR = {"code": "ECS_UPDATE_ERROR", "message": "cannot reach a steady state"}


def info(**raw: Any) -> CodeDeployDeployment:
    return CodeDeployDeployment.from_api({"deploymentId": "d-1", **raw})


def sd(**raw: Any) -> ServiceDeploymentRecord:
    return ServiceDeploymentRecord.from_api(raw)


ROLLED = {"rollbackDeploymentId": "d-2", "rollbackMessage": "Automatic rollback triggered"}
LANDED = (("AllowTraffic", "Succeeded"), ("AfterAllowTraffic", "Succeeded"))


@pytest.mark.parametrize(
    ("info", "wait_until", "outcome"),
    [
        ({"status": "InProgress"}, None, None),
        ({"status": "Ready"}, None, None),
        ({"status": "Ready"}, "READY", Outcome.READY),
        ({"status": "Succeeded"}, None, Outcome.SUCCEEDED),
        ({"status": "Failed", "errorInformation": ERROR}, None, Outcome.FAILED),
        ({"status": "Stopped"}, None, Outcome.FAILED),
    ],
)
def test_codedeploy_verdicts(
    info: dict[str, object], wait_until: str | None, outcome: Outcome | None
) -> None:
    verdict = judge_codedeploy(CodeDeployDeployment.from_api(info), wait_until)
    assert (verdict.outcome if verdict else None) is outcome


@pytest.mark.parametrize(
    ("rollback_status", "outcome"),
    [
        (None, None),  # not read yet
        ("InProgress", None),  # the rollback deployment goes on: wait for it
        ("Succeeded", Outcome.ROLLED_BACK),
        ("Failed", Outcome.FAILED),
        ("Stopped", Outcome.FAILED),
    ],
)
def test_rolled_back_only_when_the_rollback_deployment_succeeded(
    rollback_status: str | None, outcome: Outcome | None
) -> None:
    failed = info(status="Failed", errorInformation=ERROR, rollbackInfo=ROLLED)
    rollback = info(deploymentId="d-2", status=rollback_status) if rollback_status else None
    verdict = judge_codedeploy(failed, None, rollback=rollback)
    assert (verdict.outcome if verdict else None) is outcome
    if outcome is Outcome.FAILED:
        assert verdict is not None and "rollback failed: deployment d-2" in verdict.reason


@pytest.mark.parametrize(
    "message", ["Automatic rollback failed", "The deployment cannot be rolled back"]
)
def test_a_rollback_message_without_a_rollback_deployment_is_a_failure(message: str) -> None:
    stopped = info(status="Stopped", rollbackInfo={"rollbackMessage": message})
    verdict = judge_codedeploy(stopped, None)
    assert verdict is not None and verdict.outcome is Outcome.FAILED
    assert verdict.reason == f"CodeDeploy deployment was stopped; {message}"


def test_a_failure_names_the_error_and_the_rollback() -> None:
    failed = info(status="Failed", errorInformation=ERROR, rollbackInfo=ROLLED)
    verdict = judge_codedeploy(failed, None, rollback=info(deploymentId="d-2", status="Succeeded"))
    assert verdict is not None
    assert verdict.reason == (
        "CodeDeploy deployment failed: ECS_UPDATE_ERROR: cannot reach a steady state; "
        "rolled back by deployment d-2: Automatic rollback triggered"
    )


def test_the_termination_wait_counts_as_landed() -> None:
    waiting = info(status="InProgress")
    verdict = judge_codedeploy(waiting, None, events=LANDED)
    assert verdict is not None and verdict.outcome is Outcome.SUCCEEDED
    assert "terminating the original task set is pending" in verdict.reason
    # Only AllowTraffic: the AfterAllowTraffic hook can still fail and roll back.
    assert judge_codedeploy(waiting, None, events=LANDED[:1]) is None
    # After `continue` ended the termination wait, only Succeeded counts.
    assert judge_codedeploy(waiting, None, events=LANDED, termination_wait_lands=False) is None


def test_traffic_follows_the_lifecycle_events() -> None:
    test_only = (("AllowTestTraffic", "Succeeded"), ("AllowTraffic", "Pending"))
    moved = (("AllowTraffic", "Succeeded"),)
    assert traffic_state(test_only, "Ready").startswith("test: replacement")
    assert traffic_state(moved, "Succeeded").startswith("production: replacement")
    assert traffic_state(moved, "Stopped", "Succeeded").startswith("production: original")
    # Past AllowTraffic, only a rollback that succeeded moved production back.
    assert traffic_state(moved, "Stopped", "Failed") == (
        "production: replacement task set (not rolled back)"
    )


def test_stages_are_judged_from_what_was_seen_not_from_order() -> None:
    wanted = "POST_PRODUCTION_TRAFFIC_SHIFT"
    # LINEAR: the production shift repeats after the stage waited for was seen once.
    seen = ["TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT", wanted, "PRODUCTION_TRAFFIC_SHIFT"]
    assert ecs_bluegreen.reached(seen, "PRODUCTION_TRAFFIC_SHIFT", wanted)
    assert not ecs_bluegreen.reached(seen[:2], "PRODUCTION_TRAFFIC_SHIFT", wanted)
    # A stage shorter than a poll: the one after it tells it was passed.
    assert ecs_bluegreen.reached(["SCALE_UP"], "BAKE_TIME", "POST_TEST_TRAFFIC_SHIFT")
    assert not ecs_bluegreen.reached([], "SCALE_UP", "POST_TEST_TRAFFIC_SHIFT")
    # The hook-only stage (no lifecycleStage shows it) is passed once production shifts.
    assert ecs_bluegreen.reached([], "PRODUCTION_TRAFFIC_SHIFT", "PRE_PRODUCTION_TRAFFIC_SHIFT")


def test_the_hook_awaiting_action() -> None:
    record = sd(
        status="IN_PROGRESS",
        lifecycleHookDetails=[
            {"hookId": "old", "status": "SUCCEEDED"},
            {"hookId": "h2", "status": "AWAITING_ACTION"},
        ],
    )
    assert record.awaiting_hook == "h2"
    assert sd().awaiting_hook is None


def test_after_continue_the_service_deployment_decides() -> None:
    assert judge_service_deployment(sd(status="IN_PROGRESS"), "h1") is None
    done = judge_service_deployment(sd(status="SUCCESSFUL"), "h1")
    assert done is not None and done.outcome is Outcome.SUCCEEDED
    rolled = judge_service_deployment(sd(status="ROLLBACK_SUCCESSFUL"), "h1")
    assert rolled is not None and rolled.outcome is Outcome.ROLLED_BACK
    hook = [{"hookId": "h2", "status": "AWAITING_ACTION"}]
    again = judge_service_deployment(
        sd(status="IN_PROGRESS", lifecycleStage="BAKE_TIME", lifecycleHookDetails=hook), "h1"
    )
    assert again is not None and again.outcome is Outcome.READY and "h2" in again.reason
    # On a rollback ECS runs the traffic-shift hooks again (developer guide, "lifecycle
    # hooks"): a hook then is the rollback's, never "ready".
    back = sd(
        status="ROLLBACK_IN_PROGRESS",
        lifecycleStage="TEST_TRAFFIC_SHIFT",
        lifecycleHookDetails=hook,
    )
    assert judge_service_deployment(back, "h1") is None


def test_service_deployment_arns_are_told_from_codedeploy_ids() -> None:
    ref = ServiceDeploymentRef.parse("arn:aws:ecs:us-east-1:1:service-deployment/demo/web/42")
    assert ref is not None and (ref.cluster, ref.service) == ("demo", "web")
    assert ServiceDeploymentRef.parse("d-ABCDEF123") is None
    with pytest.raises(InputError):
        ServiceDeploymentRef.parse("arn:aws:ecs:us-east-1:1:service-deployment/demo")
