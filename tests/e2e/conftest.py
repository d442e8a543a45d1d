"""End-to-end fixtures: an application seeded into the emulator, and a workspace to deploy from."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

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


@pytest.fixture
def app(ecs_emulator: Any, workspace: Path) -> Any:
    """The workspace's application, running in the emulator, with the call log cleared."""
    ecs_emulator.seed(workspace / ".ecs-deploy.yml")
    ecs_emulator.calls.clear()
    return ecs_emulator


@pytest.fixture
def action(ecs_emulator: Any, workspace: Path) -> Callable[..., ActionRun]:
    def run(inputs: dict[str, str], **kwargs: Any) -> ActionRun:
        return run_action(ecs_emulator.endpoint_url, workspace, inputs, **kwargs)

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
