"""The edge of `ecs-deploy event [FILE]`: one event from FILE or stdin, the response on stdout.

Exit 0 (succeeded, handed off, pending, ignored), 1 (a deployment failed, or an update or
tagging was denied), 2 (an invalid event: nothing was changed). `--remaining-time` makes it
behave as inside Lambda with that much time left (hand-offs included).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from typing import Any


def add_event_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "event",
        help="handle one event (updater payload, ECR push, ECS deployment state change)",
        description=(
            "Read one event from FILE (or standard input), handle it as the Lambda function "
            "would and print its JSON response. Settings come from the environment "
            "(ECS_DEPLOY_SERVICES, ECS_DEPLOY_CONFIG, ECS_DEPLOY_SNS_TOPIC_ARN, ...: "
            "docs/lambda.md)."
        ),
    )
    parser.add_argument(
        "file", nargs="?", metavar="FILE", help="the event (JSON); - or none: stdin"
    )
    parser.add_argument(
        "--remaining-time",
        type=float,
        metavar="SECONDS",
        help="act as inside Lambda with this much time left (default: wait for the verdict)",
    )


@dataclass(frozen=True, slots=True)
class _Remaining:
    """What Lambda's context tells the handler, for a run outside Lambda."""

    seconds: float

    def get_remaining_time_in_millis(self) -> int:
        return int(self.seconds * 1000)


def event_command(namespace: argparse.Namespace) -> int:
    from ecs_deploy.events.lambda_handler import handle
    from ecs_deploy.events.response import EventResponse, Status

    try:
        event = _read(namespace.file)
    except ValueError as exc:
        response = EventResponse("event", Status.INVALID, str(exc), "invalid_event")
    else:
        context = None if namespace.remaining_time is None else _Remaining(namespace.remaining_time)
        response = handle(event, context, os.environ)
    print(response.to_json(), flush=True)
    return response.exit_code


def _read(file: str | None) -> Any:
    where = "standard input" if file in (None, "-") else file
    try:
        if file in (None, "-"):
            text = sys.stdin.read()
        else:
            with open(file, encoding="utf-8") as handle:
                text = handle.read()
    except OSError as exc:
        raise ValueError(f"{where}: cannot read: {exc.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{where}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
