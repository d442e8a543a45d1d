"""Seeding from an application file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecs_deploy.emulator import Emulator
from ecs_deploy.errors import InputError

APP_FILE = """\
version: v1
cluster: demo
services:
  - name: web
    task_definition: taskdefs/web.json
    containers: [app]
  - name: worker
    containers: [{name: worker, image: "repo/worker:1"}, sidecar]
tasks:
  pre: [{family: migrate, count: 1, containers: [app]}]
"""

DESCRIBED = {
    "taskDefinition": {
        "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/web-app:7",
        "family": "web-app",
        "revision": 7,
        "status": "ACTIVE",
        "compatibilities": ["EC2", "FARGATE"],
        "requiresAttributes": [{"name": "com.amazonaws.ecs.capability.logging-driver.awslogs"}],
        "registeredAt": "2024-01-01T00:00:00Z",
        "registeredBy": "arn:aws:iam::123456789012:user/me",
        "deleteRequestedAt": "2024-01-02T00:00:00Z",
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [{"name": "app", "image": "repo/web:1", "essential": True}],
    },
    "tags": [],
}


def test_seed_creates_the_named_resources_and_reaches_steady_state(
    ecs_emulator: Emulator, tmp_path: Path
) -> None:
    (tmp_path / "taskdefs").mkdir()
    (tmp_path / "taskdefs" / "web.json").write_text(json.dumps(DESCRIBED))
    (tmp_path / ".ecs-deploy.yml").write_text(APP_FILE)

    seeded = ecs_emulator.seed(tmp_path / ".ecs-deploy.yml")
    assert ecs_emulator.calls.operations() == []  # seeding's own calls are not kept

    assert seeded.cluster == "demo" and set(seeded.services) == {"web", "worker"}
    assert seeded.services["web"].endswith(":task-definition/web-app:1")
    assert seeded.task_families == ["migrate"]
    assert any(line.startswith("service web -> ") for line in seeded.describe())
    ecs = ecs_emulator.client("ecs")
    services = ecs.describe_services(cluster="demo", services=["web", "worker"])["services"]
    for service in services:
        assert service["runningCount"] == 2 and service["launchType"] == "FARGATE"
        assert service["deployments"][0]["rolloutState"] == "COMPLETED"
        breaker = service["deploymentConfiguration"]["deploymentCircuitBreaker"]
        assert breaker == {"enable": True, "rollback": True}
        vpc = service["networkConfiguration"]["awsvpcConfiguration"]
        assert vpc["subnets"] == [seeded.subnet_id]
        assert vpc["securityGroups"] == [seeded.security_group_id]
    worker = ecs.describe_task_definition(taskDefinition="worker")["taskDefinition"]
    containers = {c["name"]: c for c in worker["containerDefinitions"]}
    assert containers["worker"]["image"] == "repo/worker:1"
    assert containers["sidecar"]["image"] == "public.ecr.aws/docker/library/nginx:1.27"
    options = containers["worker"]["logConfiguration"]["options"]
    assert options["awslogs-group"] == "/ecs/worker"
    migrate = ecs.describe_task_definition(taskDefinition="migrate")["taskDefinition"]
    assert [c["name"] for c in migrate["containerDefinitions"]] == ["app"]


def test_a_bad_app_file_is_an_input_error(ecs_emulator: Emulator, tmp_path: Path) -> None:
    (tmp_path / "app.yml").write_text("services: {web: 1}\n")
    with pytest.raises(InputError):
        ecs_emulator.seed(tmp_path / "app.yml")
    with pytest.raises(InputError):
        ecs_emulator.seed(tmp_path / "missing.yml")
