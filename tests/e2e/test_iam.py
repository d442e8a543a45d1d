"""IAM: the official action documents a minimal policy (ecs:RegisterTaskDefinition,
iam:PassRole, ecs:UpdateService, ecs:DescribeServices: aws-actions/amazon-ecs-deploy-task-
definition's README, quoted in tests/replay/recorded/SOURCES.md). Every call beyond it is
optional here: denied, it gives one warning and the same verdict. docs/iam/ has both policies;
the `action` fixture checks that every call of every e2e run is in the full one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from ecs_deploy.emulator import Fault
from tests.e2e.action import ActionRun
from tests.e2e.blue_green_setup import codedeploy_service, deploy_api
from tests.e2e.conftest import FULL_POLICY, policy_actions

REGISTRY = "registry.example.com:5000/team/web"
FAST = {"poll-interval": "0.2s", "timeout": "60s"}
MINIMAL_POLICY = FULL_POLICY.with_name("minimal-policy.json")
# What the official action's documented minimal policy allows.
OFFICIAL_MINIMUM = {
    "ecs:RegisterTaskDefinition",
    "iam:PassRole",
    "ecs:UpdateService",
    "ecs:DescribeServices",
}


def test_the_minimal_policy_is_the_official_one_and_the_full_one_contains_it() -> None:
    assert policy_actions(MINIMAL_POLICY) == OFFICIAL_MINIMUM
    assert policy_actions(MINIMAL_POLICY) <= policy_actions(FULL_POLICY)


def crash(action: Callable[..., ActionRun], app: Any) -> ActionRun:
    app.faults.set_for_image(f"{REGISTRY}:crash", Fault.CRASH)
    return action({"config": ".ecs-deploy.yml", "service": "web", "image-tag": "crash", **FAST})


def success(action: Callable[..., ActionRun], app: Any) -> ActionRun:
    return action({"config": ".ecs-deploy.yml", "service": "web", "image-tag": "v2", **FAST})


def codedeploy(action: Callable[..., ActionRun], app: Any) -> ActionRun:
    codedeploy_service(app)
    return deploy_api(action)


# (service, operation) denied -> the run that exercises it
OPTIONAL = [
    ("ecs", "DescribeClusters", success),
    ("ecs", "DescribeTaskDefinition", success),  # web deploys a task definition file
    ("ecs", "ListServiceDeployments", crash),
    ("ecs", "ListTasks", crash),
    ("ecs", "DescribeTasks", crash),
    ("logs", "GetLogEvents", crash),
    ("codedeploy", "ListDeployments", codedeploy),
    ("codedeploy", "ListDeploymentTargets", codedeploy),
]


@pytest.mark.parametrize(
    ("service", "operation", "scenario"), OPTIONAL, ids=[op for _, op, _ in OPTIONAL]
)
def test_an_optional_permission_denied_gives_one_warning_and_the_same_verdict(
    app: Any,
    action: Callable[..., ActionRun],
    service: str,
    operation: str,
    scenario: Callable[[Callable[..., ActionRun], Any], ActionRun],
) -> None:
    app.faults.deny(service, operation)
    run = scenario(action, app)
    expected = "rolled_back" if scenario is crash else "succeeded"
    assert run.outputs["outcome"] == expected, run.stdout
    assert run.exit_code == (1 if scenario is crash else 0)
    permission = f"{service}:{operation}"
    warnings = [
        line
        for line in run.stdout.splitlines()
        if permission in line and ("warning" in line or line.startswith("::warning"))
    ]
    assert len(warnings) == 1, run.stdout
    assert "Traceback" not in run.stdout + run.stderr
    assert json.loads(run.outputs["services"])[0]["outcome"] == expected


@pytest.mark.parametrize("scenario", [success, crash], ids=["succeeds", "rolls-back"])
def test_the_minimal_policy_as_a_whole_gives_the_same_verdicts(
    app: Any,
    action: Callable[..., ActionRun],
    scenario: Callable[[Callable[..., ActionRun], Any], ActionRun],
) -> None:
    """Every optional ECS and Logs permission denied at once, as with minimal-policy.json."""
    for service, operation, _ in OPTIONAL:
        if service != "codedeploy":
            app.faults.deny(service, operation)
    for operation in ("DescribeServiceDeployments", "DescribeServiceRevisions", "TagResource"):
        app.faults.deny("ecs", operation)
    run = scenario(action, app)
    expected = "rolled_back" if scenario is crash else "succeeded"
    assert run.outputs["outcome"] == expected, run.stdout
    assert "Traceback" not in run.stdout + run.stderr
