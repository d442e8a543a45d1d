"""unwrap: raw task definitions and describe-task-definition output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecs_deploy.errors import InputError
from ecs_deploy.plan.document import unwrap

FIXTURES = Path(__file__).parents[2] / "fixtures" / "taskdefs"
RAW = {"family": "app", "containerDefinitions": [{"name": "app", "image": "app:1"}]}


def test_a_raw_task_definition_is_returned_as_a_copy() -> None:
    result = unwrap(RAW)
    assert result.task_definition == RAW
    assert result.tags == []
    result.task_definition["containerDefinitions"][0]["image"] = "changed"
    assert RAW["containerDefinitions"][0]["image"] == "app:1"  # type: ignore[index]


def test_describe_output_is_unwrapped_with_its_tags() -> None:
    document = json.loads((FIXTURES / "describe-output.json").read_text())
    result = unwrap(document)
    assert result.task_definition == document["taskDefinition"]
    assert result.tags == [
        {"key": "service", "value": "billing"},
        {"key": "cost-center", "value": "cc-1042"},
    ]


def test_inline_tags_are_split_off_and_override_wrapper_tags() -> None:
    document = {
        "taskDefinition": {**RAW, "tags": [{"key": "a", "value": "inline"}]},
        "tags": [{"key": "a", "value": "wrapper"}, {"key": "b", "value": "wrapper"}],
    }
    result = unwrap(document)
    assert result.task_definition == RAW
    assert result.tags == [{"key": "a", "value": "inline"}, {"key": "b", "value": "wrapper"}]


@pytest.mark.parametrize(
    ("document", "found"),
    [
        ([RAW], "got a list"),
        ("family: app", "got a string"),
        (None, "got null"),
        ({}, "found keys: none"),
        ({"family": "app", "containers": []}, "found keys: containers, family"),
        (
            {"taskDefinition": "arn:aws:ecs:...:task-definition/app:1"},
            "'taskDefinition' is a string",
        ),
        ({"taskDefinition": {"family": "app"}}, "found keys: family"),
    ],
)
def test_rejects_what_is_not_a_task_definition(document: object, found: str) -> None:
    with pytest.raises(InputError) as caught:
        unwrap(document, source="deploy/taskdef.json")
    assert caught.value.message.startswith("expected a task definition (an object with a ")
    assert found in caught.value.message
    assert str(caught.value.location) == "deploy/taskdef.json"


def test_rejects_container_definitions_that_are_not_a_list() -> None:
    with pytest.raises(InputError, match=r"^'containerDefinitions' must be a list, got an object$"):
        unwrap({"family": "app", "containerDefinitions": {"name": "a"}})


def test_rejects_tags_that_are_not_a_list_of_objects() -> None:
    with pytest.raises(InputError, match="tags must be a list"):
        unwrap({"taskDefinition": RAW, "tags": {"team": "a"}})
