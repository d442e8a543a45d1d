"""The edge of `ecs-deploy continue` (and of the action given continue-deployment)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING

from ecs_deploy.config.declaration import Command
from ecs_deploy.config.readers import add_cli_arguments

if TYPE_CHECKING:
    from ecs_deploy.config.settings import GitHubFiles
    from ecs_deploy.report.console import Reporter
    from ecs_deploy.results import RunResult


def add_continue_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "continue",
        help="finish a paused blue/green deployment: CONTINUE or ROLLBACK",
        description=(
            "Answer the PAUSE hook of an ECS service deployment (its ARN), or move a CodeDeploy "
            "deployment (its id) on from Ready; then wait for the verdict. The flags are the "
            "action's inputs of the same names."
        ),
    )
    add_cli_arguments(parser, Command.CONTINUE)


def continue_command(raw: Mapping[str, str], environ: Mapping[str, str]) -> int:
    from ecs_deploy.aws.codedeploy import CodeDeployApi
    from ecs_deploy.aws.ecs import EcsApi
    from ecs_deploy.aws.session import AwsSession
    from ecs_deploy.config.continuing import build_continue_settings
    from ecs_deploy.config.platforms import output_files
    from ecs_deploy.deploy.clock import SystemClock
    from ecs_deploy.deploy.continuing import run_continue
    from ecs_deploy.deploy.watch import SourceReader, WatchLoop
    from ecs_deploy.edge import run_at_edge

    def work(reporter: Reporter) -> tuple[RunResult, GitHubFiles]:
        settings = build_continue_settings(raw, environ)
        session = AwsSession(region=settings.region, max_retries=settings.max_retries)
        ecs = EcsApi(session.ecs(), partial(session.renewed, "ecs"))
        codedeploy = CodeDeployApi(session.codedeploy(), partial(session.renewed, "codedeploy"))
        loop = WatchLoop(
            SourceReader(ecs, codedeploy),
            SystemClock(),
            reporter,
            poll_interval=settings.poll_interval_seconds,
        )
        result = run_continue(settings, ecs, codedeploy, reporter, loop)
        return result, settings.github

    return run_at_edge(environ, work, output_files(raw, environ))
