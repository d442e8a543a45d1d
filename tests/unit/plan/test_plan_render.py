"""render: every fixture, end to end through unwrap, normalize and replace_images."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from ecs_deploy.aws.model import register_task_definition_shape
from ecs_deploy.errors import InputError
from ecs_deploy.plan.replace import ImageChange
from ecs_deploy.plan.taskdef import render

FIXTURES = Path(__file__).parents[2] / "fixtures" / "taskdefs"
SHAPE = register_task_definition_shape()
READ_ONLY = (
    "taskDefinitionArn",
    "revision",
    "status",
    "requiresAttributes",
    "compatibilities",
    "registeredAt",
    "registeredBy",
    "deleteRequestedAt",
)


def load(name: str) -> Any:
    return yaml.safe_load((FIXTURES / name).read_text())  # YAML is a superset of JSON


@pytest.mark.parametrize("name", sorted(path.name for path in FIXTURES.iterdir()))
def test_every_fixture_renders_with_nothing_unexpected_dropped(name: str) -> None:
    rendered = render(load(name), SHAPE, image_tag="rendered")
    assert set(rendered.dropped) <= set(READ_ONLY)
    assert rendered.image_changes
    assert all(change.after.endswith(":rendered") for change in rendered.image_changes)


def test_describe_output_drops_read_only_members_and_keeps_tags() -> None:
    rendered = render(load("describe-output.json"), SHAPE)
    assert rendered.dropped == READ_ONLY
    assert not set(READ_ONLY) & set(rendered.task_definition)
    assert rendered.tags == [
        {"key": "service", "value": "billing"},
        {"key": "cost-center", "value": "cc-1042"},
    ]
    assert rendered.register_kwargs()["tags"] == rendered.tags
    assert "tags" not in rendered.task_definition
    container = rendered.task_definition["containerDefinitions"][0]
    for empty in ("environmentFiles", "mountPoints", "volumesFrom", "ulimits", "systemControls"):
        assert empty not in container
    assert "secretOptions" not in container["logConfiguration"]
    assert container["portMappings"][0]["appProtocol"] == "http"
    assert rendered.task_definition["enableFaultInjection"] is False


def test_yaml_and_json_render_the_same() -> None:
    from_json = render(load("string-numbers.json"), SHAPE)
    from_yaml = render(load("yaml-task.yaml"), SHAPE)
    assert from_yaml == from_json
    assert from_json.task_definition["cpu"] == "256"
    assert "taskRoleArn" not in from_json.task_definition
    assert from_json.task_definition["containerDefinitions"][0]["environment"] == [
        {"name": "REPORT_BUCKET", "value": "acme-reports"},
        {"name": "PROXY", "value": ""},
        {"name": "WORKERS", "value": "4"},
    ]


def test_render_replaces_images_and_reports_changes() -> None:
    rendered = render(
        load("fargate-web.json"),
        SHAPE,
        images={"envoy": "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.30.0.0-prod"},
        image_tag="2024.12.1",
        containers=["web"],
    )
    assert rendered.image_changes == (
        ImageChange(
            "web",
            "111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop/web:2024.11.3",
            "111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop/web:2024.12.1",
        ),
        ImageChange(
            "envoy",
            "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod",
            "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.30.0.0-prod",
        ),
    )
    assert rendered.tags == [{"key": "team", "value": "storefront"}]


def test_render_errors_carry_the_source() -> None:
    document = {"family": "a", "containerDefinitions": [{"name": "a", "cpu": "lots"}]}
    with pytest.raises(InputError) as caught:
        render(document, SHAPE, source="taskdef.json")
    assert str(caught.value) == (
        "taskdef.json: containerDefinitions[0].cpu: expected an integer, got a string"
    )


def test_render_leaves_the_document_untouched() -> None:
    document = load("describe-output.json")
    before = json.dumps(document, sort_keys=True)
    render(document, SHAPE, image_tag="v2")
    assert json.dumps(document, sort_keys=True) == before


def test_the_plan_layer_never_imports_boto3_or_botocore() -> None:
    code = (
        "import sys, ecs_deploy.plan, ecs_deploy.plan.taskdef, ecs_deploy.plan.diff;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert output.strip() == "[]"
