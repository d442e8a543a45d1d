"""The render-then-deploy chain: task-definition is the render step's output, a file under
RUNNER_TEMP, outside the workspace (an absolute path, as GitHub passes it)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.action import ActionRun
from tests.e2e.conftest import images_of, service_of
from tests.e2e.render import render

FAST = {"poll-interval": "0.2s", "timeout": "60s"}


@pytest.fixture
def runner_temp(tmp_path_factory: pytest.TempPathFactory, workspace: Path) -> Path:
    temp = tmp_path_factory.mktemp("runner_temp")
    assert not temp.is_relative_to(workspace)
    return temp


def test_one_render_output_outside_the_workspace(
    app: Any, action: Callable[..., ActionRun], workspace: Path, runner_temp: Path
) -> None:
    rendered = render(
        workspace / "taskdefs" / "web.json", runner_temp, container="app", image="r/web:2"
    )
    run = action({"task-definition": str(rendered), "service": "web", "cluster": "demo", **FAST})
    assert run.exit_code == 0, run.stdout + run.stderr
    assert run.outputs["outcome"] == "succeeded"
    arn = run.outputs["task-definition-arn"]
    assert service_of(app, "web")["taskDefinition"] == arn
    assert images_of(app, arn)["app"] == "r/web:2"


def test_two_chained_renders(
    app: Any, action: Callable[..., ActionRun], workspace: Path, runner_temp: Path
) -> None:
    first = render(
        workspace / "taskdefs" / "web.json", runner_temp, container="app", image="r/web:3"
    )
    second = render(
        first,
        runner_temp,
        container="log-router",
        image="public.ecr.aws/aws-observability/aws-for-fluent-bit:2.33.0",
        environment={"FLB_LOG_LEVEL": "debug"},
    )
    run = action({"task-definition": str(second), "service": "web", "cluster": "demo", **FAST})
    assert run.exit_code == 0, run.stdout + run.stderr
    arn = run.outputs["task-definition-arn"]
    assert images_of(app, arn) == {
        "app": "r/web:3",
        "log-router": "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.33.0",
    }
    described = app.client("ecs").describe_task_definition(taskDefinition=arn)["taskDefinition"]
    router = next(c for c in described["containerDefinitions"] if c["name"] == "log-router")
    assert {"name": "FLB_LOG_LEVEL", "value": "debug"} in router["environment"]


def test_a_render_output_that_is_gone_is_refused_naming_the_file(
    app: Any, action: Callable[..., ActionRun], runner_temp: Path
) -> None:
    # What a Docker action would have met: the host's path, not there.
    missing = runner_temp / "task-definition-gone.json"
    run = action({"task-definition": str(missing), "service": "web", "cluster": "demo"})
    assert run.exit_code == 2, run.stdout + run.stderr
    assert "task definition file not found" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr
    assert app.calls.mutating() == []
