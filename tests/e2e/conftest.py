"""End-to-end fixtures: an application seeded into the emulator, and a workspace to deploy from."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ecs_deploy.emulator import EmulatorModes
from tests.e2e.action import ActionRun, BackgroundRun, prepare_run, run_action

WEB_IMAGE = "registry.example.com:5000/team/web:1.0"

WEB_TASK_DEFINITION: dict[str, Any] = {
    "family": "web",
    "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"],
    "cpu": "256",
    "memory": "512",
    "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
    "containerDefinitions": [
        {
            "name": "app",
            "image": WEB_IMAGE,
            "essential": True,
            "portMappings": [{"containerPort": 8080, "name": "http", "appProtocol": "http"}],
            "environment": [{"name": "DATABASE_PASSWORD", "value": "hunter2-do-not-print"}],
            "secrets": [
                {"name": "API_KEY", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/api"}
            ],
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": "/ecs/web",
                    "awslogs-region": "us-east-1",
                    "awslogs-stream-prefix": "web",
                },
            },
        },
        {
            "name": "log-router",
            "image": "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0",
            "essential": False,
        },
    ],
}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "taskdefs").mkdir()
    (tmp_path / "taskdefs" / "web.json").write_text(json.dumps(WEB_TASK_DEFINITION, indent=2))
    (tmp_path / ".ecs-deploy.yml").write_text(
        "version: v1\n"
        "cluster: demo\n"
        "services:\n"
        "  - name: web\n"
        "    task_definition: taskdefs/web.json\n"
        "    containers: [app]\n"
        "  - name: worker\n"
        "    containers: [worker]\n"
        "  - name: scheduler\n"
        "    containers: [scheduler]\n"
    )
    return tmp_path


# Where AWS documents (or shows) two behaviours, the emulator has a mode for each, and every
# end-to-end test runs under both sides: the emulator's defaults, and the other side of each
# mode (sources in ecs_deploy/emulator/README.md and tests/replay/recorded/SOURCES.md).
MODE_PROFILES = {
    "modes-default": EmulatorModes(),
    "modes-alternative": EmulatorModes(
        rollback="reuse",  # the last COMPLETED deployment back IN_PROGRESS
        event_dedup=True,  # duplicate event messages omitted
        service_deployment_ids="random",  # ids as AWS makes them
        service_deployment_skew=-1.0,  # a record stamped before its ECS deployment
        current_service_deployment_lag=2,  # currentServiceDeployment stale for two ticks
        list_tasks="strict",  # startedBy only alone, as the model says
        codedeploy_targets_before_start="raise",  # DeploymentNotStartedException
        codedeploy_start_delay=6.0,  # a deployment Created for a while
    ),
}


# The tests whose verdicts depend on how AWS behaves run under both profiles; input and file
# handling (decided before any AWS call) under the defaults only.
MODE_SENSITIVE = {
    "test_aws_behaviours",
    "test_blue_green",
    "test_codedeploy_waits",
    "test_events",
    "test_ecs_blue_green_waits",
    "test_failure_outputs",
    "test_iam",
    "test_revision_hygiene",
    "test_rolling",
    "test_tasks",
    "test_terraform",
    "test_verdicts",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if "mode_profile" in metafunc.fixturenames and module in MODE_SENSITIVE:
        metafunc.parametrize("mode_profile", list(MODE_PROFILES))


@pytest.fixture
def mode_profile() -> str:
    return "modes-default"


@pytest.fixture
def app(mode_profile: str, ecs_emulator: Any, workspace: Path) -> Any:
    """The workspace's application, running in the emulator (under each mode profile where
    the verdict depends on it), with the call log cleared."""
    ecs_emulator.modes = MODE_PROFILES[mode_profile]
    ecs_emulator.seed(workspace / ".ecs-deploy.yml")
    ecs_emulator.calls.clear()
    return ecs_emulator


FULL_POLICY = Path(__file__).resolve().parents[2] / "docs" / "iam" / "full-policy.json"


def policy_actions(path: Path) -> set[str]:
    statements = json.loads(path.read_text(encoding="utf-8"))["Statement"]
    found: set[str] = set()
    for statement in statements:
        actions = statement["Action"]
        found.update([actions] if isinstance(actions, str) else actions)
    return found


@pytest.fixture
def action(ecs_emulator: Any, workspace: Path) -> Callable[..., ActionRun]:
    """Run the action; every AWS operation the run calls must be in the documented full IAM
    policy (docs/iam/full-policy.json), so the policy covers all the suite exercises."""
    allowed = policy_actions(FULL_POLICY)

    def run(inputs: dict[str, str], **kwargs: Any) -> ActionRun:
        before = len(ecs_emulator.calls.operations())
        result = run_action(ecs_emulator.endpoint_url, workspace, inputs, **kwargs)
        called = {f"{c.service}:{c.operation}" for c in ecs_emulator.calls.operations()[before:]}
        assert called <= allowed, f"not in {FULL_POLICY.name}: {sorted(called - allowed)}"
        return result

    return run


@pytest.fixture
def start_action(ecs_emulator: Any, workspace: Path) -> Callable[..., BackgroundRun]:
    def start(inputs: dict[str, str]) -> BackgroundRun:
        return BackgroundRun(prepare_run(ecs_emulator.endpoint_url, workspace, inputs))

    return start


def service_of(emulator: Any, name: str, cluster: str = "demo") -> dict[str, Any]:
    described = emulator.client("ecs").describe_services(cluster=cluster, services=[name])
    return dict(described["services"][0])


def images_of(emulator: Any, task_definition_arn: str) -> dict[str, str]:
    described = emulator.client("ecs").describe_task_definition(taskDefinition=task_definition_arn)
    return {c["name"]: c["image"] for c in described["taskDefinition"]["containerDefinitions"]}
