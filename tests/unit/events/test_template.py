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


# The clusters the examples' services are in (arn:aws:ecs:us-west-2:111122223333:service/
# default/servicetest), and another whose name starts the same.
CLUSTERS = [
    "arn:aws:ecs:us-west-2:111122223333:cluster/default",
    "arn:aws:ecs:us-west-2:111122223333:cluster/prod",
]


def evaluate(value: Any, parameters: dict[str, Any]) -> Any:
    """The intrinsic functions the template uses (Ref, Join, Split, Sub with a map), as
    CloudFormation evaluates them."""
    if isinstance(value, list):
        return [evaluate(item, parameters) for item in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Ref"}:
        return parameters[value["Ref"]]
    if set(value) == {"Join"}:
        delimiter, items = evaluate(value["Join"], parameters)
        return str(delimiter).join(items)
    if set(value) == {"Split"}:
        delimiter, text = evaluate(value["Split"], parameters)
        return str(text).split(delimiter)
    if set(value) == {"Sub"}:
        text, variables = value["Sub"]
        for name, variable in variables.items():
            text = text.replace("${" + name + "}", evaluate(variable, parameters))
        return text
    return {key: evaluate(item, parameters) for key, item in value.items()}


def prefix_matches(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    """EventBridge's matching with {"prefix": ...} entries (any resource matching any)."""
    resources = pattern.get("resources", [])
    rest = {key: wanted for key, wanted in pattern.items() if key != "resources"}
    return matches(rest, event) and any(
        resource.startswith(entry["prefix"])
        for entry in resources
        for resource in event["resources"]
    )


def test_the_state_change_rule_takes_only_the_listed_clusters() -> None:
    rule = template()["Resources"]["DeploymentStateChanged"]["Properties"]
    state = json.loads(evaluate(rule["EventPattern"], {"ClusterArns": CLUSTERS}))
    for name in ("in-progress", "rollback-in-progress", "completed", "failed"):
        event = json.loads((FIXTURES / f"ecs-deployment-{name}.json").read_text())
        assert prefix_matches(state, event), name
        for other in ("staging", "defaultish", "prod-eu"):
            arn = event["resources"][0].replace("/default/", f"/{other}/")
            assert not prefix_matches(state, {**event, "resources": [arn]}), other
        assert prefix_matches(state, {**event, "resources": [arn.replace("/prod-eu/", "/prod/")]})
    [target] = rule["Targets"]
    assert target["Arn"] == {"GetAtt": "StateChange.Arn"}


def test_tagging_is_scoped_to_the_services_of_the_clusters() -> None:
    role = template()["Resources"]["UpdaterRole"]["Properties"]
    [policy] = role["Policies"]
    statements = policy["PolicyDocument"]["Statement"]
    tagging = [s for s in statements if "ecs:TagResource" in str(s["Action"])]
    services = next(s for s in tagging if s["Sid"] == "TagServicesOfTheClusters")
    assert evaluate(services["Resource"], {"ClusterArns": CLUSTERS}) == [
        "arn:aws:ecs:us-west-2:111122223333:service/default/*",
        "arn:aws:ecs:us-west-2:111122223333:service/prod/*",
    ]
    assert "Condition" not in services
    # Nothing else may tag a service: the other statement is for task definitions only.
    others = [s for s in tagging if s is not services]
    assert all(":task-definition/" in str(s["Resource"]) for s in others)


def test_a_failed_invocation_is_not_retried() -> None:
    # Running an event again after a change could change more (events/lambda_handler.py).
    assert template()["Globals"]["Function"]["EventInvokeConfig"]["MaximumRetryAttempts"] == 0
