"""canonical / same_task_definition / diff_lines: equality up to what ECS treats as equal."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from ecs_deploy.aws.model import register_task_definition_shape
from ecs_deploy.plan.diff import canonical, diff_lines, same_task_definition
from ecs_deploy.plan.taskdef import render

FIXTURES = Path(__file__).parents[2] / "fixtures" / "taskdefs"
SHAPE = register_task_definition_shape()


def live() -> dict[str, Any]:
    """The billing-api revision as DescribeTaskDefinition returns it, made registerable."""
    document = json.loads((FIXTURES / "describe-output.json").read_text())
    return render(document, SHAPE).task_definition


def test_the_same_definition_is_the_same() -> None:
    assert same_task_definition(live(), live())
    assert diff_lines(live(), live()) == []


def test_describe_defaults_and_a_hand_written_file_are_the_same() -> None:
    """What a user writes vs what ECS echoes back: cpu 0, essential, tcp, hostPort, units."""
    written = {
        "family": "web",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE", "EC2"],
        "cpu": "0.25 vCPU",
        "memory": "0.5 GB",
        "containerDefinitions": [
            {
                "name": "web",
                "image": "web:1",
                "portMappings": [{"containerPort": 80}],
                "environment": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}],
                "secrets": [
                    {"name": "Z", "valueFrom": "arn:z"},
                    {"name": "Y", "valueFrom": "arn:y"},
                ],
            }
        ],
    }
    described = {
        "family": "web",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["EC2", "FARGATE"],
        "cpu": "256",
        "memory": "512",
        "volumes": [],
        "placementConstraints": [],
        "containerDefinitions": [
            {
                "name": "web",
                "image": "web:1",
                "cpu": 0,
                "essential": True,
                "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}],
                "environment": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                "secrets": [
                    {"name": "Y", "valueFrom": "arn:y"},
                    {"name": "Z", "valueFrom": "arn:z"},
                ],
                "mountPoints": [],
                "volumesFrom": [],
                "systemControls": [],
            }
        ],
    }
    assert same_task_definition(described, written)
    assert diff_lines(described, written) == []


def test_bridge_mode_host_port_zero_is_the_same_as_none() -> None:
    def with_port(mapping: dict[str, object]) -> dict[str, object]:
        return {
            "family": "api",
            "networkMode": "bridge",
            "containerDefinitions": [{"name": "a", "image": "a", "portMappings": [mapping]}],
        }

    assert same_task_definition(
        with_port({"containerPort": 3000, "hostPort": 0}), with_port({"containerPort": 3000})
    )
    assert not same_task_definition(
        with_port({"containerPort": 3000, "hostPort": 3000}), with_port({"containerPort": 3000})
    )


def test_string_numbers_are_the_same_as_numbers() -> None:
    def definition(cpu: object, port: object) -> dict[str, object]:
        return {
            "family": "a",
            "cpu": cpu,
            "containerDefinitions": [
                {
                    "name": "a",
                    "image": "a",
                    "memory": port,
                    "portMappings": [{"containerPort": port}],
                }
            ],
        }

    assert same_task_definition(definition(256, "80"), definition("256", 80))


def test_canonical_sorts_keys_and_keeps_empty_environment_values() -> None:
    result = canonical(
        {
            "family": "a",
            "containerDefinitions": [
                {"name": "a", "image": "a", "environment": [{"value": "", "name": "E"}], "user": ""}
            ],
        }
    )
    assert list(result) == ["containerDefinitions", "family"]
    container = result["containerDefinitions"][0]
    assert list(container) == ["environment", "essential", "image", "name"]
    assert container["environment"] == [{"name": "E", "value": ""}]


def test_canonical_does_not_mutate_its_input() -> None:
    source = live()
    before = copy.deepcopy(source)
    canonical(source)
    assert source == before


def test_diff_shows_an_image_change_with_headers() -> None:
    new = copy.deepcopy(live())
    new["containerDefinitions"][0]["image"] = "billing/api:v2"
    lines = diff_lines(live(), new)
    assert lines[:2] == ["--- live", "+++ new"]
    assert any(line.startswith("-") and "billing/api:7f3c2e1" in line for line in lines)
    assert any(line.startswith("+") and "billing/api:v2" in line for line in lines)
    assert not same_task_definition(live(), new)


def test_diff_masks_environment_values_and_secret_references() -> None:
    new = copy.deepcopy(live())
    container = new["containerDefinitions"][0]
    container["environment"][0]["value"] = "debug"  # LOG_LEVEL
    container["secrets"][0]["valueFrom"] = "arn:aws:secretsmanager:us-east-1:1:secret:other"
    container["environment"].append({"name": "NEW_VAR", "value": "hunter2"})

    lines = diff_lines(live(), new)
    text = "\n".join(lines)
    for secret in ("info", "debug", "hunter2", "billing.settings.prod", "stripe", "other"):
        assert secret not in text, secret
    assert '+          "value": "*** (changed)"' in lines
    assert '+          "valueFrom": "*** (changed)"' in lines
    assert '+          "name": "NEW_VAR",' in lines


def test_an_unchanged_secret_value_is_not_flagged() -> None:
    new = copy.deepcopy(live())
    new["containerDefinitions"][0]["image"] = "billing/api:v2"
    assert not any("(changed)" in line for line in diff_lines(live(), new))


def test_a_change_only_in_a_masked_value_is_still_detected() -> None:
    new = copy.deepcopy(live())
    new["containerDefinitions"][0]["secrets"][0]["valueFrom"] = "arn:other"
    assert not same_task_definition(live(), new)
    changed = [line for line in diff_lines(live(), new)[2:] if line.startswith(("+", "-"))]
    assert changed == ['-          "valueFrom": "***"', '+          "valueFrom": "*** (changed)"']
