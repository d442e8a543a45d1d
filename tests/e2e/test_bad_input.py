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
