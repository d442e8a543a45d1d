import io

from ecs_deploy.report.console import Reporter
from ecs_deploy.results import Outcome


def test_terminal_gets_a_live_table_of_the_deployments() -> None:
    out = io.StringIO()
    reporter = Reporter(in_actions=False, out=out, terminal=True)
    with reporter.live_progress(["web", "worker"]):
        reporter.progress("web", "1/2 running, 1 pending, 0 failed, rollout IN_PROGRESS")
        reporter.verdict("worker", Outcome.SUCCEEDED, "deployment completed", 12.0)
    text = out.getvalue()
    assert "new deployment" in text  # the table's header
    assert "1/2 running, 1 pending" in text
    assert "succeeded: deployment completed" in text


def test_ci_gets_plain_timestamped_lines_and_github_gets_groups() -> None:
    out = io.StringIO()
    reporter = Reporter(in_actions=True, out=out, terminal=False)
    with reporter.live_progress(["web"]), reporter.section("Wait for deployments"):
        reporter.progress("web", "0/2 running")
    lines = out.getvalue().splitlines()
    assert lines[0] == "::group::Wait for deployments"
    assert lines[1].endswith(" web: 0/2 running")
    assert lines[1][2] == ":"  # HH:MM:SS prefix
    assert lines[-1] == "::endgroup::"


def test_errors_are_one_line_annotations_on_github() -> None:
    out = io.StringIO()
    Reporter(in_actions=True, out=out).error("first line\nsecond line")
    assert out.getvalue() == "::error::first line%0Asecond line\n"


def test_outside_text_never_starts_a_workflow_command() -> None:
    """A log line or ECS event holding a line break stays on one line, visibly."""
    out = io.StringIO()
    reporter = Reporter(in_actions=True, out=out, terminal=False)
    reporter.info("    | connecting\n::error title=fake::pwned\r::add-mask::x")
    reporter.service_event("web", "started\r\n::warning::fake")
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert not any(line.startswith("::") for line in lines)
    assert "connecting ⏎ ::error title=fake::pwned ⏎ ::add-mask::x" in lines[0]
    terminal = io.StringIO()
    Reporter(in_actions=False, out=terminal, terminal=True).info("::error::fake")
    assert not terminal.getvalue().startswith("::")


def test_revisions_are_read_one_way() -> None:
    from ecs_deploy.results import revision_of

    assert revision_of("arn:aws:ecs:us-east-1:1:task-definition/web:7") == "web:7"
    assert revision_of(None) == "-"
