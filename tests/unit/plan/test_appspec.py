"""AppSpec: read in any key case, fill TaskDefinition and the container, hash what is sent."""

from __future__ import annotations

import hashlib
import json

import pytest

from ecs_deploy.errors import InputError
from ecs_deploy.plan.appspec import (
    check_appspec,
    generated_appspec,
    render_appspec,
)

ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7"


def test_fills_task_definition_and_keeps_the_users_key_spelling() -> None:
    appspec = check_appspec(
        {
            "version": 0.0,
            "resources": [
                {
                    "targetService": {
                        "type": "AWS::ECS::Service",
                        "PROPERTIES": {
                            "taskDefinition": "<placeholder>",
                            "loadBalancerInfo": {"containerName": "web", "containerPort": 80},
                        },
                    }
                }
            ],
        },
        "appspec.yaml",
    )
    rendered = render_appspec(appspec, ARN, container_port=8080)
    document = json.loads(rendered.content)
    properties = document["resources"][0]["targetService"]["PROPERTIES"]
    assert properties["taskDefinition"] == ARN
    assert properties["loadBalancerInfo"] == {"containerName": "web", "containerPort": 8080}
    assert "TaskDefinition" not in properties  # no second key in another case


def test_adds_load_balancer_info_when_the_file_has_none() -> None:
    appspec = check_appspec(
        {"Resources": [{"TargetService": {"Properties": {"TaskDefinition": "x"}}}]}, "a.json"
    )
    document = json.loads(
        render_appspec(appspec, ARN, container_name="app", container_port=80).content
    )
    properties = document["Resources"][0]["TargetService"]["Properties"]
    assert properties["LoadBalancerInfo"] == {"ContainerName": "app", "ContainerPort": 80}


def test_the_original_is_not_changed_and_the_hash_is_of_the_content() -> None:
    appspec = generated_appspec("app", 8080)
    rendered = render_appspec(appspec, ARN)
    assert appspec["Resources"][0]["TargetService"]["Properties"]["TaskDefinition"] == ""
    assert rendered.sha256 == hashlib.sha256(rendered.content.encode()).hexdigest()
    assert rendered.revision["appSpecContent"] == {
        "content": rendered.content,
        "sha256": rendered.sha256,
    }
    info = json.loads(rendered.content)["Resources"][0]["TargetService"]["Properties"]
    assert info["LoadBalancerInfo"] == {"ContainerName": "app", "ContainerPort": 8080}


@pytest.mark.parametrize(
    "document",
    [
        ["not", "a", "mapping"],
        {"version": 0.0},
        {"Resources": []},
        {"Resources": [{"TargetService": {"Type": "AWS::ECS::Service"}}]},
    ],
    ids=["list", "no-resources", "empty-resources", "no-properties"],
)
def test_a_malformed_appspec_is_bad_input(document: object) -> None:
    with pytest.raises(InputError, match=r"appspec\.yaml"):
        check_appspec(document, "appspec.yaml")
