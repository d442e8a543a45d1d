"""The edge of `ecs-deploy continue` (and of the action given continue-deployment)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from ecs_deploy.errors import DeployError
from ecs_deploy.report.console import Reporter


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
    from ecs_deploy.report.github_files import append_outputs, append_summary
    from ecs_deploy.report.outputs import outputs_for
    from ecs_deploy.report.summary import render_summary

    reporter = Reporter(in_actions=environ.get("GITHUB_ACTIONS") == "true")
    try:
        settings = build_continue_settings(raw, environ)
        session = AwsSession(region=settings.region)
        result = run_continue(
            settings,
            EcsApi(session.ecs()),
            CodeDeployApi(session.codedeploy()),
            reporter,
            SystemClock(),
        )
        reporter.result(result)
        if settings.github.output is not None:
            append_outputs(settings.github.output, outputs_for(result))
        if settings.github.step_summary is not None:
            append_summary(settings.github.step_summary, render_summary(result))
    except DeployError as exc:
        reporter.error(exc.message, exc.location)
        return exc.exit_code
    except KeyboardInterrupt:
        reporter.error("interrupted; what was sent goes on in AWS")
        return 130
    return result.exit_code
