"""Settings of `ecs-deploy continue` (or the action with continue-deployment): typed, frozen."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ecs_deploy.config.bluegreen import ContinueSpec, parse_continue_action
from ecs_deploy.config.durations import parse_duration
from ecs_deploy.config.settings import GitHubFiles
from ecs_deploy.errors import InputError

# Inputs that mean "deploy something": given with continue-deployment, one of them is a mistake.
_DEPLOY_INPUTS = ("config", "task-definition", "container-name", "image", "image-tag", "service")


@dataclass(frozen=True, slots=True)
class ContinueSettings:
    target: ContinueSpec
    wait: bool = True
    timeout_seconds: float = 30 * 60
    poll_interval_seconds: float = 5.0
    region: str | None = None
    github: GitHubFiles = field(default_factory=GitHubFiles)


def build_continue_settings(
    raw: Mapping[str, str], environ: Mapping[str, str] | None = None
) -> ContinueSettings:
    env = os.environ if environ is None else environ
    deployment = raw.get("continue-deployment", "").strip()
    if not deployment:
        raise InputError("continue needs the deployment: a service deployment ARN or CodeDeploy id")
    conflicting = [name for name in _DEPLOY_INPUTS if name in raw]
    if conflicting:
        raise InputError(
            f"continue-deployment cannot be combined with {conflicting[0]}: a continue step "
            "deploys nothing, it finishes a paused deployment"
        )
    wait = raw.get("wait-for-service-stability", "true").strip().lower()
    if wait not in ("true", "false"):
        raise InputError(f"wait-for-service-stability: {wait!r} must be true or false")
    timeout = (
        parse_duration(raw["timeout"], name="timeout")
        if "timeout" in raw
        else _minutes(raw.get("wait-for-minutes", "30")) * 60
    )
    return ContinueSettings(
        target=ContinueSpec(
            deployment=deployment,
            action=parse_continue_action(raw.get("continue-action")),
            hook_id=raw.get("hook-id") or None,
        ),
        wait=wait == "true",
        timeout_seconds=timeout,
        poll_interval_seconds=parse_duration(raw.get("poll-interval", "5s"), name="poll-interval"),
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
        github=GitHubFiles(
            output=Path(env["GITHUB_OUTPUT"]) if env.get("GITHUB_OUTPUT") else None,
            step_summary=Path(env["GITHUB_STEP_SUMMARY"])
            if env.get("GITHUB_STEP_SUMMARY")
            else None,
            in_actions=env.get("GITHUB_ACTIONS") == "true",
        ),
    )


def _minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"wait-for-minutes: {text!r} is not a number") from None
    if value <= 0:
        raise InputError(f"wait-for-minutes: {text!r} must be greater than zero")
    return value
