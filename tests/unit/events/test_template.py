"""The SAM template (deploy/lambda/template.yaml) wires what the package has: handlers that
exist, one execution at a time, 30 s, and rules that match AWS's example events. (cfn-lint
checks the template itself, in scripts/lint.sh.)"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[3]
TEMPLATE = REPO / "deploy" / "lambda" / "template.yaml"
FIXTURES = REPO / "tests" / "fixtures" / "events"


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (!Ref, !Sub, ...) read as plain values."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return {suffix: loader.construct_scalar(node)}
    if isinstance(node, yaml.SequenceNode):
        return {suffix: loader.construct_sequence(node)}
    return {suffix: loader.construct_mapping(node)}  # type: ignore[arg-type]


_CfnLoader.add_multi_constructor("!", _tag)


def template() -> dict[str, Any]:
    return dict(yaml.load(TEMPLATE.read_text(), Loader=_CfnLoader))  # a SafeLoader subclass


def functions() -> dict[str, dict[str, Any]]:
    return {
        name: resource["Properties"]
        for name, resource in template()["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def matches(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    """EventBridge's matching for the pattern shapes the template uses (lists of values)."""
    for key, wanted in pattern.items():
        value = event.get(key)
        if isinstance(wanted, dict):
            if not isinstance(value, dict) or not matches(wanted, value):
                return False
        elif isinstance(wanted, list) and value not in wanted:
            return False
    return True


def test_every_handler_exists() -> None:
    for properties in functions().values():
        module, _, name = properties["Handler"].rpartition(".")
        assert callable(getattr(importlib.import_module(module), name))


def test_one_execution_at_a_time_for_30_seconds() -> None:
    defaults = template()["Globals"]["Function"]
    assert defaults["Timeout"] == 30
    assert defaults["ReservedConcurrentExecutions"] == 1
    for properties in functions().values():
        assert "Timeout" not in properties and "ReservedConcurrentExecutions" not in properties


def test_the_rules_match_awss_example_events() -> None:
    found = functions()
    push = found["Updater"]["Events"]["ImagePushed"]["Properties"]["Pattern"]
    push = json.loads(json.dumps(push).replace('{"Ref": "Repositories"}', '["my-repository-name"]'))
    pushed = json.loads((FIXTURES / "ecr-image-push.json").read_text())
    assert matches(push, pushed)
    assert not matches(push, {**pushed, "detail": {**pushed["detail"], "result": "FAILURE"}})
    other = {**pushed, "detail": {**pushed["detail"], "repository-name": "other"}}
    assert not matches(push, other)
    state = found["StateChange"]["Events"]["DeploymentStateChanged"]["Properties"]["Pattern"]
    for name in ("in-progress", "rollback-in-progress", "completed", "failed"):
        event = json.loads((FIXTURES / f"ecs-deployment-{name}.json").read_text())
        assert matches(state, event), name
