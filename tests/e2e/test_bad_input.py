"""Bad input: exit 2, one clear line, no traceback, and no change in AWS."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.action import ActionRun

SINGLE = {
    "service": "web",
    "cluster": "demo",
    "task-definition": "taskdefs/web.json",
    "container-name": "app",
    "image": "r/web:2",
}


def assert_rejected(run: ActionRun, app: Any, *expected: str) -> str:
    assert run.exit_code == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    errors = [line for line in run.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 1, run.stdout
    for text in expected:
        assert text in errors[0], errors[0]
    assert app.calls.mutating() == []
    return errors[0]


@pytest.mark.parametrize(
    ("app_file", "expected"),
    [
        ("version: v1\nservices:\n  - name: web\n   bad: [\n", ("line=4", "not valid YAML")),
        (
            "version: v1\nservices:\n  - name: web\n    colour: blue\n",
            ("line=4", "unknown key 'colour'"),
        ),
        ("version: v1\ncluster: demo\n", ("line=1", "missing required key 'services'")),
    ],
)
def test_bad_application_file(
    app: Any,
    action: Callable[..., ActionRun],
    workspace: Path,
    app_file: str,
    expected: tuple[str, ...],
) -> None:
    (workspace / "broken.yml").write_text(app_file)
    line = assert_rejected(action({"config": "broken.yml"}), app, *expected)
    assert "file=" in line and "broken.yml" in line


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "task definition file not found"),
        ("{not json", "not valid JSON"),
        (json.dumps({"family": "web", "something": "else"}), "expected a task definition"),
    ],
)
def test_bad_task_definition_file(
    app: Any, action: Callable[..., ActionRun], workspace: Path, content: str | None, expected: str
) -> None:
    if content is not None:
        (workspace / "bad.json").write_text(content)
    assert_rejected(action({**SINGLE, "task-definition": "bad.json"}), app, expected)


def test_task_definition_yaml_that_is_not_yaml(
    app: Any, action: Callable[..., ActionRun], workspace: Path
) -> None:
    (workspace / "bad.yaml").write_text("family: web\n  containerDefinitions: [\n")
    assert_rejected(
        action({**SINGLE, "task-definition": "bad.yaml"}), app, "not valid YAML", "line="
    )


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        ({"container-name": "nope"}, "no container named 'nope'"),
        ({"image": "UPPER CASE:tag"}, "invalid image reference 'UPPER CASE:tag'"),
        ({"wait-for-minutes": "abc"}, "wait-for-minutes: 'abc' is not a number"),
        ({"desired-count": "-1"}, "desired-count: '-1' must be zero or more"),
        ({"timeout": "soon"}, "timeout: 'soon' is not a duration"),
        ({"cluster": "nowhere"}, "cluster 'nowhere' not found"),
        ({"service": "ghost"}, "service 'ghost' not found in cluster 'demo'"),
    ],
)
def test_bad_inputs(
    app: Any, action: Callable[..., ActionRun], inputs: dict[str, str], expected: str
) -> None:
    assert_rejected(action({**SINGLE, **inputs}), app, expected)


def test_cli_errors_are_one_line_on_stderr(app: Any, action: Callable[..., ActionRun]) -> None:
    run = action({}, github_actions=False, args=["deploy", "--service", "web", "--timeout", "soon"])
    assert run.exit_code == 2
    expected = "timeout: 'soon' is not a duration; use a number with a unit such as 90s, 10m or 1h"
    assert run.stderr.strip() == f"error: {expected}"
    assert app.calls.mutating() == []


RUN_TASK = {
    "service": "web",
    "cluster": "demo",
    "force-new-deployment": "true",
    "run-task": "true",
}


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        (
            {"run-task-container-overrides": json.dumps([{"name": "nope", "command": ["x"]}])},
            "containerOverrides[0] names no container 'nope'",
        ),
        (
            {"run-task-tags": json.dumps([{"key": "AWS:owner", "value": "me"}])},
            "tag key 'AWS:owner' is reserved",
        ),
        ({"run-task-started-by": "GitHub Actions"}, "startedBy 'GitHub Actions' must be"),
        ({"run-task-started-by": "x" * 129}, "must be at most 128"),
        (
            {"run-task-capacity-provider-strategy": '[{"capacityProvider": "A", "base": "one"}]'},
            "run-task-capacity-provider-strategy[0].base: must be a whole number",
        ),
        ({"wait-for-minutes": "nan"}, "wait-for-minutes: 'nan' is not a finite number"),
        ({"poll-interval": "10ms"}, "poll-interval: '10ms' is too short"),
    ],
)
def test_bad_task_inputs_are_refused_before_any_change(
    app: Any, action: Callable[..., ActionRun], inputs: dict[str, str], expected: str
) -> None:
    assert_rejected(action({**RUN_TASK, **inputs}), app, expected)


def test_a_secret_in_a_rejected_override_is_not_echoed(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    overrides = [{"name": "app", "environment": [{"name": "DB_PASSWORD", "value": 918273}]}]
    run = action({**RUN_TASK, "run-task-container-overrides": json.dumps(overrides)})
    line = assert_rejected(run, app, "environment[0].value: got int, expected str")
    assert "918273" not in run.stdout + run.stderr + run.summary, line


def test_a_secret_in_a_bad_application_file_is_not_echoed(
    app: Any, action: Callable[..., ActionRun], workspace: Path
) -> None:
    (workspace / "broken.yml").write_text(
        "version: v1\ncluster: demo\nservices: [{name: web}]\ntasks:\n  pre:\n"
        "    - family: migrate\n      environment:\n        DB_URL: {password: hunter2}\n"
    )
    run = action({"config": "broken.yml"})
    assert_rejected(run, app, "environment values must be strings", "line=8")
    assert "hunter2" not in run.stdout + run.stderr + run.summary
