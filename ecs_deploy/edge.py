"""What every command does at the edge: run, tell, write the output files, map errors to exits.

Every exit writes the outputs and the job summary: a result's, or, when an error ends the run,
`outcome` invalid (exit 2, nothing changed), error (exit 1) or interrupted (130), with the
services the run had updated by then (see report/failure.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path

from ecs_deploy.config.platforms import OutputFiles, in_github_actions, workspace_of
from ecs_deploy.config.settings import GitHubFiles
from ecs_deploy.errors import DeployError
from ecs_deploy.report.console import Reporter
from ecs_deploy.report.failure import (
    ERROR,
    INTERRUPTED,
    INVALID,
    failure_outputs,
    failure_summary,
)
from ecs_deploy.report.github_files import append_outputs, append_summary
from ecs_deploy.report.outputs import outputs_for
from ecs_deploy.report.summary import render_summary
from ecs_deploy.report.variable_files import write_dotenv, write_exports
from ecs_deploy.results import RunResult

Work = Callable[[Reporter], tuple[RunResult, GitHubFiles]]


def run_at_edge(environ: Mapping[str, str], work: Work, files: OutputFiles | None = None) -> int:
    """0 ok, 1 a deployment did not land, 2 bad input; one line per expected error, no traceback.

    `files`: the exports file and dotenv report, known (like GitHub's files) before the inputs
    are checked, so that a run refused as invalid says so in them too.
    """
    reporter = Reporter(
        in_actions=in_github_actions(environ),
        workspace=str(workspace_of(environ)),  # file:line relative to the checkout
    )
    github = _github_files(environ)  # known even when the inputs are not
    variables = files or OutputFiles()
    try:
        result, github = work(reporter)
        reporter.result(result)
        _write_files(github, variables, reporter, outputs_for(result), render_summary(result))
    except DeployError as exc:
        location = reporter.relative(exc.location)
        reporter.error(exc.message, location)
        outcome = INVALID if exc.exit_code == 2 else ERROR
        _write_failure(
            github,
            variables,
            reporter,
            outcome,
            f"{location}: {exc.message}" if location else exc.message,
        )
        return exc.exit_code
    except KeyboardInterrupt:
        message = "interrupted; what was already sent goes on in AWS"
        reporter.error(message)
        _write_failure(github, variables, reporter, INTERRUPTED, message)
        return 130
    except Exception:
        # A bug: its traceback is worth having, and the workflow still gets its outputs.
        _write_failure(
            github, variables, reporter, ERROR, "internal error (see the log for the traceback)"
        )
        raise
    return result.exit_code


def _write_failure(
    github: GitHubFiles,
    variables: OutputFiles,
    reporter: Reporter,
    outcome: str,
    message: str,
) -> None:
    _write_files(
        github,
        variables,
        reporter,
        failure_outputs(outcome, reporter.record),
        failure_summary(outcome, message, reporter.record),
    )


def _write_files(
    github: GitHubFiles,
    variables: OutputFiles,
    reporter: Reporter,
    outputs: Mapping[str, str],
    summary: str,
) -> None:
    """Every file the outputs go to. One that cannot be written (a container user who may not
    write it) is one error line naming it: the verdict and its exit code stand, and were
    already logged."""
    writers: list[tuple[str, Path | None, Callable[[Path], None]]] = [
        ("GITHUB_OUTPUT", github.output, partial(append_outputs, outputs=outputs)),
        ("GITHUB_STEP_SUMMARY", github.step_summary, partial(append_summary, markdown=summary)),
        ("exports-file", variables.exports, partial(write_exports, outputs=outputs)),
        (
            "dotenv-file",
            variables.dotenv,
            partial(write_dotenv, outputs=outputs, warn=reporter.warning),
        ),
    ]
    for name, path, write in writers:
        if path is None:
            continue
        try:
            write(path)
        except OSError as exc:
            reporter.error(f"cannot write {name} ({path}): {exc.strerror or exc}")


def _github_files(environ: Mapping[str, str]) -> GitHubFiles:
    output, summary = environ.get("GITHUB_OUTPUT"), environ.get("GITHUB_STEP_SUMMARY")
    return GitHubFiles(
        output=Path(output) if output else None,
        step_summary=Path(summary) if summary else None,
        in_actions=in_github_actions(environ),
    )
