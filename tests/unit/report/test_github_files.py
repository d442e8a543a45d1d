import json
from pathlib import Path

from ecs_deploy.errors import SourceLocation
from ecs_deploy.report.commands import annotation
from ecs_deploy.report.github_files import append_outputs
from ecs_deploy.report.outputs import outputs_for
from ecs_deploy.report.summary import render_summary
from ecs_deploy.results import Outcome, RunResult, ServiceResult
from tests.e2e.action import parse_outputs


def test_outputs_round_trip_including_multiline_values(tmp_path: Path) -> None:
    path = tmp_path / "out"
    path.write_text("earlier=1\n")
    append_outputs(path, {"outcome": "succeeded", "notes": "line one\nline two", "empty": ""})
    assert parse_outputs(path.read_text()) == {
        "earlier": "1",
        "outcome": "succeeded",
        "notes": "line one\nline two",
        "empty": "",
    }


def result(*outcomes: Outcome) -> RunResult:
    services = tuple(
        ServiceResult(
            name=f"svc{i}",
            cluster="demo",
            outcome=outcome,
            previous_task_definition_arn=f"arn:aws:ecs:us-east-1:1:task-definition/svc{i}:1",
            task_definition_arn=f"arn:aws:ecs:us-east-1:1:task-definition/svc{i}:2",
            seconds=12.5,
            reason="tasks failed | to start" if not outcome.ok else "deployment completed",
        )
        for i, outcome in enumerate(outcomes)
    )
    return RunResult(cluster="demo", services=services)


def test_outputs_describe_every_service() -> None:
    outputs = outputs_for(result(Outcome.SUCCEEDED, Outcome.ROLLED_BACK))
    assert outputs["outcome"] == "rolled_back"
    assert outputs["task-definition-arn"].endswith("svc0:2")
    assert outputs["previous-task-definition-arn"].endswith("svc0:1")
    services = json.loads(outputs["services"])
    assert [s["outcome"] for s in services] == ["succeeded", "rolled_back"]
    assert services[1]["seconds"] == 12.5


def test_run_outcome_and_exit_code() -> None:
    assert result(Outcome.SUCCEEDED, Outcome.UNCHANGED).outcome is Outcome.SUCCEEDED
    assert result(Outcome.SUCCEEDED, Outcome.UNCHANGED).exit_code == 0
    assert result(Outcome.SUCCEEDED, Outcome.TIMED_OUT).exit_code == 1
    assert result(Outcome.STARTED).outcome is Outcome.STARTED


def test_summary_has_a_row_per_service_and_explains_failures() -> None:
    markdown = render_summary(result(Outcome.SUCCEEDED, Outcome.FAILED))
    rows = [line for line in markdown.splitlines() if line.startswith("| svc")]
    assert len(rows) == 2
    assert "`svc1:2`" in rows[1] and "failed" in rows[1]
    assert "tasks failed \\| to start" in markdown  # a pipe in a reason cannot break the table


def test_annotations_escape_newlines_and_properties() -> None:
    line = annotation("error", "bad\nthing 100%", SourceLocation("dir/a,b.yml", 3, 5))
    assert line == "::error file=dir/a%2Cb.yml,line=3,col=5::bad%0Athing 100%25"
