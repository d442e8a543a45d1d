"""Apply the render action's edits to a register-ready task definition. Pure."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Protocol

from ecs_deploy.errors import InputError
from ecs_deploy.plan.jsontypes import JsonDict


class Changes(Protocol):
    """What plan needs of config.settings.TaskDefinitionChanges (plan imports no config)."""

    @property
    def environment(self) -> tuple[tuple[str, str], ...]: ...
    @property
    def secrets(self) -> tuple[tuple[str, str], ...]: ...
    @property
    def docker_labels(self) -> tuple[tuple[str, str], ...]: ...
    @property
    def command(self) -> tuple[str, ...] | None: ...
    @property
    def log_driver(self) -> str | None: ...
    @property
    def log_options(self) -> tuple[tuple[str, str], ...]: ...
    @property
    def env_files(self) -> tuple[str, ...]: ...
    @property
    def task_role_arn(self) -> str | None: ...
    @property
    def execution_role_arn(self) -> str | None: ...
    @property
    def changes_containers(self) -> bool: ...


def apply_changes(
    task_definition: Mapping[str, object], containers: Sequence[str], changes: Changes
) -> JsonDict:
    """A new definition: entries with the same name replaced, new ones appended, in order."""
    result: JsonDict = copy.deepcopy(dict(task_definition))
    if changes.task_role_arn:
        result["taskRoleArn"] = changes.task_role_arn
    if changes.execution_role_arn:
        result["executionRoleArn"] = changes.execution_role_arn
    if not changes.changes_containers:
        return result
    definitions = result.get("containerDefinitions")
    by_name = (
        {str(c.get("name")): c for c in definitions if isinstance(c, dict)}
        if isinstance(definitions, list)
        else {}
    )
    if not containers:
        raise InputError("container-name is needed to say which containers the changes apply to")
    for name in containers:
        container = by_name.get(name)
        if container is None:
            raise InputError(
                f"no container named '{name}'; its containers are: {', '.join(sorted(by_name))}"
            )
        _apply(container, changes)
    return result


def _apply(container: JsonDict, changes: Changes) -> None:
    if changes.environment:
        container["environment"] = _merge(
            container.get("environment"), changes.environment, "value"
        )
    if changes.secrets:
        container["secrets"] = _merge(container.get("secrets"), changes.secrets, "valueFrom")
    if changes.docker_labels:
        labels = dict(container.get("dockerLabels") or {})
        labels.update(changes.docker_labels)
        container["dockerLabels"] = labels
    if changes.command is not None:
        container["command"] = list(changes.command)
    if changes.log_driver or changes.log_options:
        config = dict(container.get("logConfiguration") or {})
        if changes.log_driver:
            config["logDriver"] = changes.log_driver
        options = dict(config.get("options") or {})
        options.update(changes.log_options)
        config["options"] = options
        if "logDriver" not in config:
            raise InputError("log-configuration-options needs log-configuration-log-driver")
        container["logConfiguration"] = config
    if changes.env_files:
        files = [f for f in container.get("environmentFiles") or [] if isinstance(f, dict)]
        known = {f.get("value") for f in files}
        files += [{"value": arn, "type": "s3"} for arn in changes.env_files if arn not in known]
        container["environmentFiles"] = files


def _merge(current: object, pairs: tuple[tuple[str, str], ...], field: str) -> list[JsonDict]:
    entries = [dict(e) for e in current if isinstance(e, dict)] if isinstance(current, list) else []
    index = {str(entry.get("name")): entry for entry in entries}
    for name, value in pairs:
        if name in index:
            index[name][field] = value
        else:
            entry: JsonDict = {"name": name, field: value}
            entries.append(entry)
            index[name] = entry
    return entries
