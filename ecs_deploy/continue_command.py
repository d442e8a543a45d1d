"""The edge of `ecs-deploy continue` (and of the action given continue-deployment)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING

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
            "deployment (its id) on from Ready; then wait for the verdict."
        ),
    )
    parser.add_argument("deployment", help="service deployment ARN or CodeDeploy deployment id")
    parser.add_argument(
        "--action", default="CONTINUE", metavar="CONTINUE|ROLLBACK", help="(default: CONTINUE)"
    )
    parser.add_argument("--hook-id", help="the hook to answer (default: the one awaiting action)")
    parser.add_argument("--wait", default="true", metavar="true|false", help="wait for the verdict")
    parser.add_argument("--timeout", help="how long to wait (a duration; default 30m)")
    parser.add_argument("--poll-interval", help="time between polls (default 5s)")


def read_continue_args(namespace: argparse.Namespace) -> dict[str, str]:
    """The same names as the action's inputs, so both go through one settings builder."""
    raw = {
        "continue-deployment": namespace.deployment,
        "continue-action": namespace.action,
        "wait-for-service-stability": namespace.wait,
        "hook-id": namespace.hook_id,
        "timeout": namespace.timeout,
        "poll-interval": namespace.poll_interval,
    }
    return {name: str(value).strip() for name, value in raw.items() if value}


def continue_command(raw: Mapping[str, str], environ: Mapping[str, str]) -> int:
    from ecs_deploy.aws.codedeploy import CodeDeployApi
    from ecs_deploy.aws.ecs import EcsApi
    from ecs_deploy.aws.session import AwsSession
    from ecs_deploy.config.continuing import build_continue_settings
    from ecs_deploy.deploy.clock import SystemClock
    from ecs_deploy.deploy.continuing import run_continue
    from ecs_deploy.deploy.watch import SourceReader, WatchLoop
    from ecs_deploy.edge import run_at_edge

    def work(reporter: Reporter) -> tuple[RunResult, GitHubFiles]:
        settings = build_continue_settings(raw, environ)
        session = AwsSession(region=settings.region)
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

    return run_at_edge(environ, work)
