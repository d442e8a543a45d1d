"""The edge: parse argv or INPUT_*, run, map errors to exit codes (0 ok, 1 failed, 2 bad input)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING

from ecs_deploy import __version__

if TYPE_CHECKING:
    from ecs_deploy.config.settings import GitHubFiles
    from ecs_deploy.report.console import Reporter
    from ecs_deploy.results import RunResult


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    if not args:
        parser.print_help()
        return 2
    if args[0] == "emulator":
        return _emulator(args[1:])
    namespace = parser.parse_args(args)
    if namespace.command is None:
        parser.print_help()
        return 2
    from ecs_deploy.config.readers import read_cli_inputs

    if namespace.command == "continue":
        from ecs_deploy.continue_command import continue_command

        return continue_command(read_cli_inputs(namespace), os.environ)
    if namespace.command == "event":
        from ecs_deploy.events.command import event_command

        return event_command(namespace)
    return deploy_command(read_cli_inputs(namespace), os.environ)


def action_main(environ: Mapping[str, str] | None = None) -> int:
    """GitHub Action mode: every input comes from INPUT_* variables."""
    from ecs_deploy.config.readers import read_action_inputs

    env = os.environ if environ is None else environ
    raw = read_action_inputs(env)
    if "continue-deployment" in raw:  # a later job finishing a paused blue/green deployment
        from ecs_deploy.continue_command import continue_command

        return continue_command(raw, env)
    return deploy_command(raw, env)


def deploy_command(raw: Mapping[str, str], environ: Mapping[str, str]) -> int:
    # Imported here so `--help` and `--version` stay fast (boto3 takes ~0.4 s to import).
    from ecs_deploy.aws.codedeploy import CodeDeployApi
    from ecs_deploy.aws.ecs import EcsApi
    from ecs_deploy.aws.logs import LogsApi
    from ecs_deploy.aws.session import AwsSession
    from ecs_deploy.aws.ssm import SsmApi
    from ecs_deploy.config.inputs import build_settings
    from ecs_deploy.config.platforms import output_files
    from ecs_deploy.deploy.clock import SystemClock
    from ecs_deploy.deploy.runner import Clients, run_deploy
    from ecs_deploy.edge import run_at_edge

    def work(reporter: Reporter) -> tuple[RunResult, GitHubFiles]:
        settings = build_settings(raw, environ)
        if settings.image_tag_from:
            reporter.info(f"image-tag: {settings.image_tag} (from {settings.image_tag_from})")
        if settings.image_tag_note:
            reporter.info(settings.image_tag_note)
        session = AwsSession(region=settings.region, max_retries=settings.max_retries)
        clients = Clients(
            ecs=EcsApi(session.ecs(), partial(session.renewed, "ecs")),
            logs=LogsApi(session.logs(), session.logs),
            codedeploy=CodeDeployApi(session.codedeploy(), partial(session.renewed, "codedeploy")),
            ssm=SsmApi(session.ssm),
        )
        return run_deploy(settings, clients, reporter, SystemClock()), settings.github

    return run_at_edge(environ, work, output_files(raw, environ))


def _parser() -> argparse.ArgumentParser:
    from ecs_deploy.config.declaration import Command
    from ecs_deploy.config.readers import add_cli_arguments
    from ecs_deploy.continue_command import add_continue_parser
    from ecs_deploy.events.command import add_event_parser

    parser = argparse.ArgumentParser(
        prog="ecs-deploy",
        description="Deploy applications to Amazon ECS with true verdicts.",
        # Unwrapped: `--version` names a path that scripts and tests read whole.
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=_version())
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    deploy = commands.add_parser(
        "deploy",
        help="render task definitions, update services and wait for the verdict",
        description="Inputs are the GitHub Action's, as flags: --task-definition, --image-tag, ...",
    )
    add_cli_arguments(deploy, Command.DEPLOY)
    add_continue_parser(commands)
    add_event_parser(commands)
    # Listed for --help only: main() hands its arguments to the emulator's own parser, so
    # the emulator (moto: seconds to import) loads only when it is asked for.
    commands.add_parser("emulator", help="run the local ECS emulator (needs the 'emulator' extra)")
    return parser


def _version() -> str:
    """The version and where the package runs from (an image must run its installed copy)."""
    package_dir = os.path.dirname(os.path.abspath(__file__))
    python = ".".join(str(part) for part in sys.version_info[:3])
    return f"ecs-deploy {__version__} from {package_dir} (Python {python})"


def _emulator(args: list[str]) -> int:
    try:
        from ecs_deploy.emulator.cli import main as emulator_main
    except ImportError as exc:
        from importlib.metadata import PackageNotFoundError, version

        try:  # moto there but another release: the emulator patches its internals
            found = f"moto {version('moto')} is installed ({exc})"
        except PackageNotFoundError:
            found = "moto is not installed"
        print(
            f"error: the emulator needs its extra: pip install 'ecs-deploy-action[emulator]'"
            f" ({found})",
            file=sys.stderr,
        )
        return 2
    return emulator_main(args, prog="ecs-deploy emulator")
