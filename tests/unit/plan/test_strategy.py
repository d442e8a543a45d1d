"""The strategy follows the deployment controller; a disagreeing mode or EXTERNAL is refused."""

from __future__ import annotations

from typing import Any

import pytest

from ecs_deploy.errors import InputError, PreflightError
from ecs_deploy.plan.strategy import Strategy, choose_strategy, ecs_blue_green_plan


def service(controller: str | None = None, strategy: str | None = None) -> dict[str, Any]:
    described: dict[str, Any] = {"deploymentConfiguration": {}}
    if controller:
        described["deploymentController"] = {"type": controller}
    if strategy:
        described["deploymentConfiguration"]["strategy"] = strategy
    return described


@pytest.mark.parametrize(
    ("controller", "configured", "expected"),
    [
        (None, None, Strategy.ROLLING),
        ("ECS", "ROLLING", Strategy.ROLLING),
        ("ECS", "BLUE_GREEN", Strategy.ECS_BLUE_GREEN),
        ("ECS", "CANARY", Strategy.ECS_BLUE_GREEN),
        ("ECS", "LINEAR", Strategy.ECS_BLUE_GREEN),
        ("CODE_DEPLOY", None, Strategy.CODEDEPLOY),
    ],
)
def test_auto_follows_the_controller(
    controller: str | None, configured: str | None, expected: Strategy
) -> None:
    assert choose_strategy("web", service(controller, configured)) is expected


def test_external_is_refused() -> None:
    with pytest.raises(PreflightError, match="EXTERNAL deployment controller"):
        choose_strategy("web", service("EXTERNAL"))


@pytest.mark.parametrize(
    ("mode", "controller"), [("codedeploy", "ECS"), ("rolling", "CODE_DEPLOY")]
)
def test_a_mode_that_disagrees_is_bad_input(mode: str, controller: str) -> None:
    with pytest.raises(InputError, match=f"mode is {mode}"):
        choose_strategy("web", service(controller), mode)


def test_rolling_mode_accepts_ecs_native_blue_green() -> None:
    assert (
        choose_strategy("web", service("ECS", "BLUE_GREEN"), "rolling") is Strategy.ECS_BLUE_GREEN
    )


def test_blue_green_plan_collects_pause_stages_and_bake_time() -> None:
    described = service("ECS", "BLUE_GREEN")
    described["deploymentConfiguration"].update(
        bakeTimeInMinutes=5,
        lifecycleHooks=[
            {"targetType": "AWS_LAMBDA", "lifecycleStages": ["PRE_SCALE_UP"]},
            {"targetType": "PAUSE", "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"]},
        ],
    )
    plan = ecs_blue_green_plan(described)
    assert plan.bake_minutes == 5
    assert plan.pause_stages == ("POST_TEST_TRAFFIC_SHIFT",)
