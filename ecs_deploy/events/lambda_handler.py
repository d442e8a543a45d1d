"""Lambda entry points (deploy/lambda/template.yaml wires them to EventBridge):

    ecs_deploy.events.lambda_handler.handler               updater payload, ECR push events
    ecs_deploy.events.lambda_handler.state_change_handler  ECS Deployment State Change events

Both return the response document (events/response.py); `ecs-deploy event` prints the same.
Every failure is an answer (`status` failed or invalid, an `error` type), never an
exception: a raised error makes Lambda retry an asynchronous invocation (twice by default),
and retrying an invalid event or a denied update only repeats it, while retrying one that
failed after a change could change more. An unexpected one is `internal_error`.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Collection, Mapping
from functools import partial
from typing import Any

from ecs_deploy.aws.codedeploy import CodeDeployApi
from ecs_deploy.aws.ecs import EcsApi
from ecs_deploy.aws.logs import LogsApi
from ecs_deploy.aws.notify import EventBusApi, SnsApi
from ecs_deploy.aws.session import AwsSession
from ecs_deploy.config.event_settings import event_settings
from ecs_deploy.deploy.clock import SystemClock
from ecs_deploy.deploy.runner import Clients
from ecs_deploy.errors import DeployError, EventError, InputError, PreflightError
from ecs_deploy.events import state_change, updater
from ecs_deploy.events.budget import LambdaContext, TimeBudget
from ecs_deploy.events.destinations import deliver
from ecs_deploy.events.kinds import KIND_STATE, ImagePush, UpdaterPayload, kind_of, read_event
from ecs_deploy.events.response import EventResponse, Status
from ecs_deploy.events.targets import push_requests
from ecs_deploy.report.console import Reporter

UPDATES = ("updater", "ecr_image_push")
STATE_CHANGES = (KIND_STATE,)
INTERNAL_ERROR = "internal_error"


def handler(event: Any, context: LambdaContext | None = None) -> dict[str, Any]:
    return handle(event, context, os.environ, accept=UPDATES).as_dict()


def state_change_handler(event: Any, context: LambdaContext | None = None) -> dict[str, Any]:
    return handle(event, context, os.environ, accept=STATE_CHANGES).as_dict()


def handle(
    event: Any,
    context: LambdaContext | None,
    environ: Mapping[str, str],
    *,
    accept: Collection[str] = (*UPDATES, *STATE_CHANGES),
) -> EventResponse:
    # The log is stderr: stdout of `ecs-deploy event` is the response alone.
    reporter = Reporter(in_actions=False, out=sys.stderr, terminal=False)
    clock = SystemClock()
    kind = kind_of(event)
    try:
        settings = event_settings(environ)
        budget = TimeBudget.of(context, clock, settings.margin_seconds)
        parsed = read_event(event)
        if kind not in accept:
            raise EventError("invalid_event", f"this handler does not take {kind} events")
        session = AwsSession(region=settings.region, max_retries=settings.max_retries)
        clients = Clients(
            ecs=EcsApi(session.ecs(), partial(session.renewed, "ecs")),
            logs=LogsApi(session.logs(), session.logs),
            codedeploy=CodeDeployApi(session.codedeploy(), partial(session.renewed, "codedeploy")),
        )
        if isinstance(parsed, UpdaterPayload | ImagePush):
            if isinstance(parsed, UpdaterPayload):
                requests: tuple[updater.DeployRequest, ...] = (
                    updater.DeployRequest(
                        parsed.cluster,
                        parsed.service,
                        updater.ImageMatch.named(parsed.image_name),
                        parsed.tag,
                        parsed.tags,
                    ),
                )
                skip = False
            else:
                if parsed.result != "SUCCESS" or parsed.action != "PUSH" or parsed.tag is None:
                    return _ignored(kind, f"{parsed.action} {parsed.result} of {parsed.repository}")
                requests, skip = push_requests(parsed, settings), True
            checked = [updater.preflight(r, clients, skip_unmatched=skip) for r in requests]
            accepted = [c for c in checked if c is not None]
            if not accepted:
                return _ignored(kind, "no service listed for it runs that repository")
            response = updater.deploy(accepted, clients, reporter, clock, budget, settings, kind)
        else:
            response = state_change.judge(parsed, clients, reporter, clock, budget)
            delivered = deliver(
                response,
                settings,
                reporter,
                sns=lambda: SnsApi(session.client("sns")),
                bus=lambda: EventBusApi(session.client("events")),
            )
            response = _with_delivery(response, delivered)
    except EventError as exc:
        reporter.error(exc.message)
        status = Status.INVALID if exc.exit_code == 2 else Status.FAILED
        return EventResponse(kind, status, exc.message, exc.error_type)
    except DeployError as exc:
        reporter.error(str(exc))
        status = Status.INVALID if exc.exit_code == 2 else Status.FAILED
        error = "aws_error"
        if isinstance(exc, InputError):
            error = "invalid_configuration"  # the function's environment (config/event_settings)
        elif isinstance(exc, PreflightError):
            error = "not_found"  # what the event names is gone (a cluster deleted since)
        return EventResponse(kind, status, str(exc), error)
    except Exception as exc:  # a raised error makes Lambda run the event again
        # Something after a change may have failed: running the event again could change
        # more, so it is answered (and logged with its type) instead; never retried.
        reporter.error(f"internal error: {type(exc).__name__}: {exc}")
        return EventResponse(
            kind, Status.FAILED, f"internal error: {type(exc).__name__}: {exc}", INTERNAL_ERROR
        )
    reporter.info(f"{response.status.value}: {response.message}")
    return response


def _ignored(kind: str, why: str) -> EventResponse:
    return EventResponse(kind, Status.IGNORED, f"nothing to deploy: {why}")


def _with_delivery(response: EventResponse, delivered: tuple[str, ...]) -> EventResponse:
    return dataclasses.replace(response, delivered_to=delivered)
