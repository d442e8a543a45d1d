"""Settings of the event entry point (Lambda or `ecs-deploy event`), from its environment.

A Lambda function has no inputs but its environment, so these are environment variables
(docs/lambda.md lists them). Everything is checked here, before any AWS call.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ecs_deploy.config.durations import parse_duration
from ecs_deploy.config.settings import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_SECONDS
from ecs_deploy.errors import InputError

SERVICES_VARIABLE = "ECS_DEPLOY_SERVICES"
CONFIG_VARIABLE = "ECS_DEPLOY_CONFIG"
ENVIRONMENT_VARIABLE = "ECS_DEPLOY_ENVIRONMENT"  # the file's environments: entry to deploy
# Lambda: stop waiting this long before the function's time ends, to answer and hand off.
DEFAULT_MARGIN_SECONDS = 5.0
# Polls inside a 30 s function: often enough to catch a quick verdict, few enough reads.
DEFAULT_EVENT_POLL_SECONDS = 3.0


@dataclass(frozen=True, slots=True)
class ServiceTarget:
    cluster: str
    service: str


@dataclass(frozen=True, slots=True)
class EventSettings:
    # ECR push -> services: repository name -> the services that may be deployed for it.
    services_by_repository: Mapping[str, tuple[ServiceTarget, ...]]
    app_file: Path | None  # or: the services of an application file (its cluster)
    sns_topic_arn: str | None
    event_bus: str | None
    margin_seconds: float = DEFAULT_MARGIN_SECONDS
    poll_interval_seconds: float = DEFAULT_EVENT_POLL_SECONDS
    # Outside Lambda (no remaining time to respect): how long to wait for a verdict.
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    max_retries: int = DEFAULT_MAX_RETRIES
    region: str | None = None
    environment: str | None = None  # of app_file (promotion's environments:)


def event_settings(environ: Mapping[str, str] | None = None) -> EventSettings:
    env = os.environ if environ is None else environ
    config = env.get(CONFIG_VARIABLE) or None
    return EventSettings(
        services_by_repository=_services(env.get(SERVICES_VARIABLE, "")),
        app_file=Path(config) if config else None,
        sns_topic_arn=env.get("ECS_DEPLOY_SNS_TOPIC_ARN") or None,
        event_bus=env.get("ECS_DEPLOY_EVENT_BUS") or None,
        margin_seconds=_duration(env, "ECS_DEPLOY_MARGIN", DEFAULT_MARGIN_SECONDS),
        poll_interval_seconds=_duration(
            env, "ECS_DEPLOY_POLL_INTERVAL", DEFAULT_EVENT_POLL_SECONDS
        ),
        timeout_seconds=_duration(env, "ECS_DEPLOY_TIMEOUT", DEFAULT_TIMEOUT_SECONDS),
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
        environment=env.get(ENVIRONMENT_VARIABLE) or None,
    )


def _duration(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name)
    return default if not text else parse_duration(text, name=name)


def _services(text: str) -> dict[str, tuple[ServiceTarget, ...]]:
    """`{"repository": ["cluster/service", ...], ...}`; a service given without a cluster is
    refused (a guess at "default" could deploy the wrong thing)."""
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{SERVICES_VARIABLE} is not JSON: {exc.msg} (column {exc.colno})"
        ) from None
    if not isinstance(data, dict):
        raise InputError(f'{SERVICES_VARIABLE} must map repositories to ["cluster/service", ...]')
    found: dict[str, tuple[ServiceTarget, ...]] = {}
    for repository, services in data.items():
        if not isinstance(services, list) or not services:
            raise InputError(f"{SERVICES_VARIABLE}: {repository} must list cluster/service names")
        targets = []
        for item in services:
            cluster, slash, service = str(item).partition("/")
            if not (isinstance(item, str) and slash and cluster and service and "/" not in service):
                raise InputError(
                    f"{SERVICES_VARIABLE}: {repository}: {item!r} is not cluster/service"
                )
            targets.append(ServiceTarget(cluster, service))
        found[str(repository)] = tuple(targets)
    return found
