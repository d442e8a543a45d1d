"""The edge writes outputs and a summary on every exit, whatever ends the run."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ecs_deploy.config.settings import GitHubFiles
from ecs_deploy.edge import run_at_edge
from ecs_deploy.errors import AwsError, InputError, SourceLocation
from ecs_deploy.plan.deployment import DeployPlan, ServicePlan, TaskDefinitionPlan
from ecs_deploy.report.console import Reporter
from ecs_deploy.results import RunResult
from tests.e2e.action import parse_outputs

ARN = "arn:aws:ecs:us-east-1:1:task-definition/{}"


def service(name: str) -> ServicePlan:
    return ServicePlan(
        name=name,
        cluster="demo",
        current_task_definition_arn=ARN.format(f"{name}:1"),
        task_definition=TaskDefinitionPlan(name, {}, ARN.format(f"{name}:1"), changed=True),
        force_new_deployment=False,
        desired_count=None,
        timeout_seconds=60,
    )


PLAN = DeployPlan(cluster="demo", services=(service("web"), service("worker")))
Work = Callable[[Reporter], tuple[RunResult, GitHubFiles]]


def run(tmp_path: Path, work: Work) -> tuple[int, dict[str, str], str]:
    environ = {
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
        "GITHUB_WORKSPACE": str(tmp_path),
    }
    code = run_at_edge(environ, work)
    output = (tmp_path / "output").read_text() if (tmp_path / "output").exists() else ""
    summary = (tmp_path / "summary").read_text() if (tmp_path / "summary").exists() else ""
    return code, parse_outputs(output), summary


def updated_then(error: BaseException, *, rollback: bool = False) -> Work:
    def work(reporter: Reporter) -> tuple[RunResult, GitHubFiles]:
        reporter.plan(PLAN)
        reporter.service_updated(PLAN.services[0], ARN.format("web:2"), "ecs-svc/1")
        if rollback:
            reporter.service_updated(PLAN.services[0], ARN.format("web:1"), "ecs-svc/2")
        raise error

    return work


def test_invalid_input_names_the_file_relative_to_the_workspace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def work(reporter: Reporter) -> tuple[RunResult, GitHubFiles]:
        raise InputError("bad", location=SourceLocation(str(tmp_path / "app.yml"), 3, 1))

    code, outputs, summary = run(tmp_path, work)
    assert (code, outputs["outcome"], outputs["services"]) == (2, "invalid", "[]")
    assert "app.yml:3:1: bad" in summary and str(tmp_path) not in summary
    assert "error: app.yml:3:1: bad" in capsys.readouterr().err


def test_an_aws_error_after_an_update_lists_it_as_unknown_and_the_rest_as_skipped(
    tmp_path: Path,
) -> None:
    code, outputs, summary = run(tmp_path, updated_then(AwsError("DescribeServices failed")))
    assert (code, outputs["outcome"]) == (1, "error")
    services = {s["name"]: s for s in json.loads(outputs["services"])}
    assert services["web"]["outcome"] == "unknown"
    assert services["web"]["task_definition_arn"] == ARN.format("web:2")
    assert services["web"]["deployment_id"] == "ecs-svc/1"
    assert services["worker"]["outcome"] == "skipped"
    assert services["worker"]["task_definition_arn"] == ARN.format("worker:1")
    assert outputs["task-definition-arn"] == ARN.format("web:2")
    assert "DescribeServices failed" in summary and "Updated: web." in summary
    assert "| worker | not updated |" in summary


def test_a_rollback_under_way_says_so(tmp_path: Path) -> None:
    _, outputs, summary = run(tmp_path, updated_then(AwsError("x"), rollback=True))
    (web, _) = json.loads(outputs["services"])
    assert web["task_definition_arn"] == ARN.format("web:1")
    assert "rollback started" in web["reason"]
    assert "updated: rollback `ecs-svc/2` started" in summary


def test_an_interrupt_exits_130_with_outputs(tmp_path: Path) -> None:
    code, outputs, summary = run(tmp_path, updated_then(KeyboardInterrupt()))
    assert (code, outputs["outcome"]) == (130, "interrupted")
    assert "## ecs-deploy: ❌ interrupted" in summary


def test_a_bug_still_writes_outputs_and_keeps_its_traceback(tmp_path: Path) -> None:
    with pytest.raises(ZeroDivisionError):
        run(tmp_path, updated_then(ZeroDivisionError("bug")))
    outputs = parse_outputs((tmp_path / "output").read_text())
    assert outputs["outcome"] == "error"
    assert "internal error" in (tmp_path / "summary").read_text()


def test_no_github_files_outside_actions(tmp_path: Path) -> None:
    assert run_at_edge({}, updated_then(AwsError("x"))) == 1
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_output_file_is_one_error_line_and_the_exit_code_stands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A container user who may not write the file GitHub gave (a directory stands in here):
    the run ends with its own exit code and one line naming the file, no traceback."""
    (tmp_path / "output").mkdir()
    environ = {
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
    }
    assert run_at_edge(environ, updated_then(InputError("bad input"))) == 2
    summary = (tmp_path / "summary").read_text()
    err = capsys.readouterr()
    lines = [line for line in (err.out + err.err).splitlines() if "cannot write" in line]
    assert len(lines) == 1
    assert f"cannot write GITHUB_OUTPUT ({tmp_path / 'output'}): Is a directory" in lines[0]
    assert "Traceback" not in err.out + err.err
    assert "bad input" in summary  # the other file is still written
