"""Settings of `ecs-deploy continue` (or the action with continue-deployment): typed, frozen.

The same declared inputs and parsers as `deploy` (`check_inputs`), so a value one command
accepts the other accepts too, with the same bounds and defaults.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from ecs_deploy.config.bluegreen import ContinueSpec, parse_continue_action
from ecs_deploy.config.declaration import Command
from ecs_deploy.config.readers import check_inputs
from ecs_deploy.config.settings import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_POLL_SECONDS,
    DEFAULT_TIMEOUT_SECONDS,
    GitHubFiles,
    github_files,
)
from ecs_deploy.config.waiting import wait_settings
from ecs_deploy.errors import InputError


@dataclass(frozen=True, slots=True)
class ContinueSettings:
    target: ContinueSpec
    wait: bool = True
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    poll_interval_seconds: float = DEFAULT_POLL_SECONDS
    max_retries: int = DEFAULT_MAX_RETRIES
    region: str | None = None
    github: GitHubFiles = field(default_factory=GitHubFiles)


def build_continue_settings(
    raw: Mapping[str, str], environ: Mapping[str, str] | None = None
) -> ContinueSettings:
    env = os.environ if environ is None else environ
    values = check_inputs(raw, Command.CONTINUE)
    deployment = values.text("continue-deployment")
    if not deployment:
        raise InputError("continue needs the deployment: a service deployment ARN or CodeDeploy id")
    waiting = wait_settings(values)
    return ContinueSettings(
        target=ContinueSpec(
            deployment=deployment,
            action=parse_continue_action(values.get("continue-action")),
            hook_id=values.text("hook-id"),
        ),
        wait=waiting.wait,
        timeout_seconds=waiting.timeout_seconds,
        poll_interval_seconds=waiting.poll_interval_seconds,
        max_retries=waiting.max_retries,
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
        github=github_files(env),
    )
