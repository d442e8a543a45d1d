"""Every exit leaves outputs and a summary: refused input, and an error after services changed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.action import ActionRun
from tests.e2e.test_bad_input import SINGLE, assert_rejected


def test_invalid_input_writes_outcome_invalid_and_a_summary(
    app: Any, action: Callable[..., ActionRun], workspace: Path
) -> None:
    (workspace / "broken.yml").write_text(
        "version: v1\nservices:\n  - name: web\n    colour: blue\n"
    )
    run = action({"config": "broken.yml"})
    line = assert_rejected(run, app, "unknown key 'colour'")
    # The annotation names the file as the repository does, so GitHub puts it on the line.
    assert line.startswith("::error file=broken.yml,line=4,col=5::"), line
    assert run.outputs["outcome"] == "invalid"
    assert json.loads(run.outputs["services"]) == []
    assert json.loads(run.outputs["tasks"]) == [] and json.loads(run.outputs["run-task-arn"]) == []
    assert "## ecs-deploy: ❌ invalid" in run.summary
    assert "nothing was changed" in run.summary
    assert "broken.yml:4:5: unknown key 'colour'" in run.summary


def test_input_refused_after_planning_lists_the_services_untouched(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    run = action({**SINGLE, "container-name": "nope"})
    assert_rejected(run, app, "no container named 'nope'")
    assert run.outputs["outcome"] == "invalid"
    assert "nothing was changed" in run.summary


def deny_after(app: Any, monkeypatch: pytest.MonkeyPatch, sent: str, denied: str) -> None:
    """Deny `denied` from the moment `sent` arrives (before it is answered): deterministic."""
    record = app.calls.record

    def recording(call: Any) -> None:
        record(call)
        if call.operation == sent:
            app.faults.deny("ecs", denied)

    monkeypatch.setattr(app.calls, "record", recording)


def test_an_aws_error_after_update_service_names_what_was_updated(
    app: Any, action: Callable[..., ActionRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = app.client("ecs").describe_services(cluster="demo", services=["web"])
    previous = before["services"][0]["taskDefinition"]
    deny_after(app, monkeypatch, "UpdateService", "DescribeServices")
    run = action({**SINGLE, "image": "registry.example.com:5000/team/web:2.0"})
    assert run.exit_code == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert app.calls.count("UpdateService") == 1
    assert run.outputs["outcome"] == "error"
    services = json.loads(run.outputs["services"])
    assert [(s["name"], s["outcome"]) for s in services] == [("web", "unknown")]
    assert services[0]["previous_task_definition_arn"] == previous
    assert services[0]["task_definition_arn"] != previous
    assert services[0]["deployment_id"]
    assert run.outputs["task-definition-arn"] == services[0]["task_definition_arn"]
    assert "## ecs-deploy: ❌ error" in run.summary
    assert "| web | ⚠️ updated: deployment" in run.summary
    assert "Updated: web." in run.summary


def test_continue_with_bad_input_writes_outcome_invalid(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    run = action({"continue-deployment": "d-ABCDEF123", "continue-action": "SIDEWAYS"})
    assert_rejected(run, app, "continue-action")
    assert run.outputs["outcome"] == "invalid"
    assert "## ecs-deploy: ❌ invalid" in run.summary
