"""aws-actions/amazon-ecs-render-task-definition's inputs, read into TaskDefinitionChanges.

Same names and meaning, without its known bugs: a value may contain "=" (only the first one
splits), list items are trimmed, blank lines and `#` comments are skipped.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping

from ecs_deploy.config.declaration import lines_of
from ecs_deploy.config.settings import TaskDefinitionChanges
from ecs_deploy.errors import InputError

RENDER_INPUT_NAMES = (
    "environment-variables",
    "secrets",
    "docker-labels",
    "command",
    "log-configuration-log-driver",
    "log-configuration-options",
    "env-files",
    "task-role-arn",
    "execution-role-arn",
)


def changes_from_inputs(raw: Mapping[str, str]) -> TaskDefinitionChanges:
    command = raw.get("command")
    try:
        words = tuple(shlex.split(command)) if command is not None else None
    except ValueError as exc:
        raise InputError(f"command: cannot split it into words ({exc})") from None
    return TaskDefinitionChanges(
        environment=key_values(raw, "environment-variables"),
        secrets=key_values(raw, "secrets"),
        docker_labels=key_values(raw, "docker-labels"),
        command=words,
        log_driver=raw.get("log-configuration-log-driver"),
        log_options=key_values(raw, "log-configuration-options"),
        env_files=tuple(lines_of(raw.get("env-files", ""))),
        task_role_arn=raw.get("task-role-arn"),
        execution_role_arn=raw.get("execution-role-arn"),
    )


def key_values(raw: Mapping[str, str], name: str) -> tuple[tuple[str, str], ...]:
    """`KEY=value` lines. The error names the line, never its value (it may be a secret)."""
    pairs: list[tuple[str, str]] = []
    for number, line in enumerate(lines_of(raw.get(name, "")), start=1):
        key, separator, value = line.partition("=")
        if not separator or not key.strip():
            raise InputError(f"{name}: line {number} is not KEY=value")
        pairs.append((key.strip(), value))
    return tuple(pairs)
