"""`continue` parses its inputs with deploy's declaration: the same kinds, bounds and defaults."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.action import ActionRun
from tests.e2e.blue_green_setup import codedeploy_service, codedeploy_status, deploy_api
from tests.e2e.test_bad_input import assert_rejected

PAUSED = "d-ABCDEFGH1"  # never looked up: every case fails before any call


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        ({"poll-interval": "0"}, "poll-interval: '0' must be greater than zero"),
        ({"wait-for-minutes": "1e400"}, "wait-for-minutes: '1e400' is not a finite number"),
        ({"wait-for-minutes": "0"}, "wait-for-minutes: '0' must be greater than zero"),
        ({"timeout": "0s"}, "timeout: '0s' must be greater than zero"),
        ({"mode": "banana"}, "mode: 'banana' must be auto, ecs or codedeploy"),
        ({"mode": "ecs"}, "continue-deployment cannot be combined with mode"),
        ({"continue-action": "maybe"}, "continue-action: 'maybe' must be CONTINUE or ROLLBACK"),
        ({"wait-for-service-stability": "perhaps"}, "is not a boolean"),
        ({"wait-max-delay-seconds": "0"}, "wait-max-delay-seconds: '0' must be 1 or more"),
        ({"max-retries": "-3"}, "max-retries: '-3' must be zero or more"),
    ],
)
def test_bad_values_exit_2_naming_the_input(
    app: Any, action: Callable[..., ActionRun], inputs: dict[str, str], expected: str
) -> None:
    assert_rejected(action({"continue-deployment": PAUSED, **inputs}), app, expected)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--poll-interval", "0"], "poll-interval: '0' must be greater than zero"),
        (["--timeout", "0s"], "timeout: '0s' must be greater than zero"),
        (["--wait-for-minutes", "1e400"], "wait-for-minutes: '1e400' is not a finite number"),
        (["--action", "later"], "continue-action: 'later' must be CONTINUE or ROLLBACK"),
    ],
)
def test_the_cli_rejects_the_same_values(
    app: Any, action: Callable[..., ActionRun], args: list[str], expected: str
) -> None:
    run = action({}, github_actions=False, args=["continue", PAUSED, *args])
    assert run.exit_code == 2, run.stdout + run.stderr
    assert run.stderr.strip() == f"error: {expected}"
    assert "Traceback" not in run.stdout + run.stderr
    assert app.calls.mutating() == []


def test_deploy_only_input_without_continue_deployment_is_refused(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    run = action({"service": "web", "cluster": "demo", "hook-id": "h-1"})
    assert_rejected(run, app, "hook-id needs continue-deployment")


def test_yes_is_a_boolean_for_continue_as_for_deploy(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    codedeploy_service(app, termination_wait=60)
    run = deploy_api(action, **{"poll-interval": "0.2s", "timeout": "3s"})
    assert run.exit_code == 0, run.stdout + run.stderr
    deployment_id = run.outputs["codedeploy-deployment-id"]
    finished = action(
        {
            "continue-deployment": deployment_id,
            "wait-for-service-stability": "yes",
            "poll-interval": "0.2s",
        }
    )
    assert finished.exit_code == 0, finished.stdout + finished.stderr
    assert finished.outputs["outcome"] == "succeeded"
    assert codedeploy_status(app, deployment_id) == "Succeeded"
