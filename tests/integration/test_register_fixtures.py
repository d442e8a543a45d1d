"""Rendered fixtures against boto3's client-side validation and moto's ECS store.

boto3 rejects unknown keys, None values and wrong scalar types before sending anything, so a
register call that goes through is the proof that rendering produces what the API accepts.
Describing the revision back then shows that nothing but the image changed on the way.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from botocore.exceptions import ParamValidationError
from moto import mock_aws

from ecs_deploy.aws.model import register_task_definition_shape
from ecs_deploy.plan.document import DESCRIBE_ONLY_FIELDS
from ecs_deploy.plan.taskdef import render

FIXTURES = Path(__file__).parents[1] / "fixtures" / "taskdefs"
NEW_TAG = "integration-2"
# Describe-only members, which the register payload must not carry.
READ_ONLY = DESCRIBE_ONLY_FIELDS


@pytest.fixture
def ecs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield boto3.client("ecs", region_name="us-east-1")


def load(name: str) -> Any:
    return yaml.safe_load((FIXTURES / name).read_text())  # YAML is a superset of JSON


def source_definition(document: dict[str, Any]) -> dict[str, Any]:
    """The task definition as written in the fixture, unwrapped, tags aside."""
    inner = document.get("taskDefinition", document)
    return {key: value for key, value in inner.items() if key != "tags"}


def without_empty(value: Any, *, keeps_value: bool = False) -> Any:
    """The fixture minus None and empty values, spelled out independently of the code under
    test: environment and proxy entries keep an empty value; "" arguments of a non-empty list
    stay."""
    if isinstance(value, dict):
        result = {}
        for key, child in value.items():
            cleaned = without_empty(child, keeps_value=key in ("environment", "properties"))
            if cleaned not in (None, "", [], {}):
                result[key] = cleaned
        if keeps_value and value.get("value") == "":
            result["value"] = ""
        return result
    if isinstance(value, list):
        items = [without_empty(item, keeps_value=keeps_value) for item in value]
        kept = [item for item in items if item == "" or item not in (None, [], {})]
        return [] if all(item == "" for item in kept) else kept
    return value


def loosely_equal(sent: Any, written: Any, path: str = "") -> list[str]:
    """Paths where `sent` differs from `written` beyond scalar spelling ("80" vs 80)."""
    if isinstance(sent, dict) and isinstance(written, dict):
        problems = [f"{path}.{key}: missing" for key in written.keys() - sent.keys()]
        problems += [f"{path}.{key}: added" for key in sent.keys() - written.keys()]
        for key in sent.keys() & written.keys():
            problems += loosely_equal(sent[key], written[key], f"{path}.{key}")
        return problems
    if isinstance(sent, list) and isinstance(written, list):
        if len(sent) != len(written):
            return [f"{path}: {len(written)} items became {len(sent)}"]
        return [
            p
            for i, (a, b) in enumerate(zip(sent, written, strict=True))
            for p in loosely_equal(a, b, f"{path}[{i}]")
        ]

    def spelling(scalar: Any) -> str:
        return str(scalar).lower()

    return [] if spelling(sent) == spelling(written) else [f"{path}: {written!r} -> {sent!r}"]


def unechoed_or_equal(sent: Any, described: Any, path: str = "") -> tuple[list[str], int]:
    """Compare on what moto returns: differing paths, and how many scalars were compared."""
    if isinstance(sent, dict):
        problems: list[str] = []
        compared = 0
        for key, value in sent.items():
            if key in described:  # moto does not echo every member; extra defaults are fine
                more, count = unechoed_or_equal(value, described[key], f"{path}.{key}")
                problems, compared = problems + more, compared + count
        return problems, compared
    if isinstance(sent, list):
        if not isinstance(described, list) or len(described) != len(sent):
            return [f"{path}: sent {sent!r}, described {described!r}"], 0
        problems, compared = [], 0
        for index, (a, b) in enumerate(zip(sent, described, strict=True)):
            more, count = unechoed_or_equal(a, b, f"{path}[{index}]")
            problems, compared = problems + more, compared + count
        return problems, compared
    return ([] if sent == described else [f"{path}: sent {sent!r}, described {described!r}"]), 1


def with_old_images(sent: dict[str, Any], written: dict[str, Any]) -> dict[str, Any]:
    old = {c["name"]: c["image"] for c in written["containerDefinitions"]}
    containers = [{**c, "image": old[c["name"]]} for c in sent["containerDefinitions"]]
    return {**sent, "containerDefinitions": containers}


@pytest.mark.parametrize("name", sorted(path.name for path in FIXTURES.iterdir()))
def test_rendered_fixture_registers_and_only_the_image_changes(ecs: Any, name: str) -> None:
    document = load(name)
    rendered = render(document, register_task_definition_shape(), image_tag=NEW_TAG)
    sent = rendered.register_kwargs()

    # boto3 validates the whole payload client-side before moto sees it.
    response = ecs.register_task_definition(**sent)
    arn = response["taskDefinition"]["taskDefinitionArn"]

    # What was sent is the fixture minus read-only and empty members, images aside.
    written = without_empty(source_definition(document))
    written = {key: value for key, value in written.items() if key not in READ_ONLY}
    assert loosely_equal(with_old_images(rendered.task_definition, written), written) == []
    for container in rendered.task_definition["containerDefinitions"]:
        assert container["image"].endswith(f":{NEW_TAG}")
    assert len(rendered.image_changes) == len(written["containerDefinitions"])

    # And ECS (moto) stored exactly that.
    described = ecs.describe_task_definition(taskDefinition=arn, include=["TAGS"])
    problems, compared = unechoed_or_equal(rendered.task_definition, described["taskDefinition"])
    assert problems == []
    assert compared >= 20  # most of the payload is echoed back and checked
    assert described.get("tags", []) == rendered.tags


def test_boto3_rejects_the_raw_file_that_rendering_fixes(ecs: Any) -> None:
    """The control: without rendering, the official action's accepted input fails here."""
    raw = source_definition(load("string-numbers.json"))
    with pytest.raises(ParamValidationError):
        ecs.register_task_definition(**raw)
