"""What every command does at the edge: run, tell, write GitHub's files, map errors to exits."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ecs_deploy.config.settings import GitHubFiles
from ecs_deploy.errors import DeployError
from ecs_deploy.report.console import Reporter
from ecs_deploy.report.github_files import append_outputs, append_summary
from ecs_deploy.report.outputs import outputs_for
from ecs_deploy.report.summary import render_summary
from ecs_deploy.results import RunResult

Work = Callable[[Reporter], tuple[RunResult, GitHubFiles]]


def run_at_edge(environ: Mapping[str, str], work: Work) -> int:
    """0 ok, 1 a deployment did not land, 2 bad input; one line per expected error, no traceback."""
    reporter = Reporter(in_actions=environ.get("GITHUB_ACTIONS") == "true")
    try:
        result, github = work(reporter)
        reporter.result(result)
        if github.output is not None:
            append_outputs(github.output, outputs_for(result))
        if github.step_summary is not None:
            append_summary(github.step_summary, render_summary(result))
    except DeployError as exc:
        reporter.error(exc.message, exc.location)
        return exc.exit_code
    except KeyboardInterrupt:
        reporter.error("interrupted; what was already sent goes on in AWS")
        return 130
    return result.exit_code
