"""Failure modes the emulator can inflict, and the book that says which task gets which.

A fault is chosen per container name, per image, or by the container definition's docker
label `emulator.fault` (so a user can try one with nothing but a task definition). The first
of those that matches wins, in that order.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar

import yaml

from ecs_deploy.errors import InputError

FAULT_LABEL = "emulator.fault"


class FaultKind(StrEnum):
    CRASH = "crash"
    OOM = "oom"
    PULL_FAILURE = "pull_failure"
    MISSING_SECRET = "missing_secret"
    NEVER_PLACED = "never_placed"
    UNHEALTHY = "unhealthy"
    EXIT_CODE = "exit_code"
    KEEP_RUNNING = "keep_running"


@dataclass(frozen=True, slots=True)
class Fault:
    """One failure mode. Use the constants (`Fault.CRASH`) or `Fault.exit_code(n)`."""

    kind: FaultKind
    code: int | None = None

    CRASH: ClassVar[Fault]
    OOM: ClassVar[Fault]
    PULL_FAILURE: ClassVar[Fault]
    MISSING_SECRET: ClassVar[Fault]
    NEVER_PLACED: ClassVar[Fault]
    UNHEALTHY: ClassVar[Fault]
    KEEP_RUNNING: ClassVar[Fault]

    @classmethod
    def exit_code(cls, code: int) -> Fault:
        """The container exits with `code` after a short run (a migration that fails: 1)."""
        return cls(FaultKind.EXIT_CODE, code)

    @property
    def fails_to_start(self) -> bool:
        return self.kind in (FaultKind.PULL_FAILURE, FaultKind.MISSING_SECRET)

    def __str__(self) -> str:
        return f"exit:{self.code}" if self.kind is FaultKind.EXIT_CODE else self.kind.value


Fault.CRASH = Fault(FaultKind.CRASH)
Fault.OOM = Fault(FaultKind.OOM)
Fault.PULL_FAILURE = Fault(FaultKind.PULL_FAILURE)
Fault.MISSING_SECRET = Fault(FaultKind.MISSING_SECRET)
Fault.NEVER_PLACED = Fault(FaultKind.NEVER_PLACED)
Fault.UNHEALTHY = Fault(FaultKind.UNHEALTHY)
Fault.KEEP_RUNNING = Fault(FaultKind.KEEP_RUNNING)


def parse_fault(text: str) -> Fault:
    """`crash`, `oom`, `pull-failure`, `missing_secret`, `never-placed`, `unhealthy`,
    `keep-running`, `exit:N` (also `exit=N`, `exit_code:N`)."""
    word = text.strip().lower().replace("-", "_")
    for prefix in ("exit_code:", "exit_code=", "exit:", "exit="):
        if word.startswith(prefix):
            number = word[len(prefix) :]
            if not number.lstrip("-").isdigit():
                raise InputError(f"fault {text!r}: exit code must be an integer")
            return Fault.exit_code(int(number))
    try:
        kind = FaultKind(word)
    except ValueError:
        choices = ", ".join(k.value for k in FaultKind if k is not FaultKind.EXIT_CODE)
        raise InputError(f"unknown fault {text!r}; use one of {choices} or exit:N") from None
    if kind is FaultKind.EXIT_CODE:
        raise InputError(f"fault {text!r}: say which exit code, e.g. exit:1")
    return Fault(kind)


def parse_assignment(text: str) -> tuple[str, Fault]:
    """`KEY=MODE` (the key is an image or a container name; images may hold ':' but not '=')."""
    key, sep, mode = text.rpartition("=")
    if mode.isdigit() and key.endswith(("exit", "exit_code")):
        # `app=exit=1`: the last "=" belongs to the mode.
        key, sep, head = key.rpartition("=")
        mode = f"{head}:{mode}"
    if not sep or not key.strip():
        raise InputError(f"fault {text!r}: expected KEY=MODE, e.g. repo/app:bad=crash")
    return key.strip(), parse_fault(mode)


class FaultBook:
    """Thread-safe choice of faults; the scheduler asks it about every container it starts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_image: dict[str, Fault] = {}
        self._by_container: dict[str, Fault] = {}
        self._codedeploy: set[tuple[str, str | None]] = set()
        # Rollback deployments CodeDeploy starts for these (application, group) fail too.
        self._codedeploy_rollbacks: set[tuple[str, str | None]] = set()
        # (service, operation) answered AccessDeniedException: an IAM policy that lacks them.
        self._denied: set[tuple[str, str]] = set()
        self._capacity_missing = False
        self._stage_events = True

    def set_for_image(self, image: str, fault: Fault) -> None:
        with self._lock:
            self._by_image[image] = fault

    def set_for_container(self, name: str, fault: Fault) -> None:
        with self._lock:
            self._by_container[name] = fault

    def set_run_task_capacity_missing(self, missing: bool = True) -> None:
        """RunTask answers with `failures[]` (RESOURCE:MEMORY) and no tasks while set."""
        with self._lock:
            self._capacity_missing = missing

    def fail_codedeploy(self, application: str, group: str | None = None) -> None:
        """CodeDeploy deployments of this application (and group, if given) fail."""
        with self._lock:
            self._codedeploy.add((application, group))

    def fail_codedeploy_rollbacks(self, application: str, group: str | None = None) -> None:
        """Rollback deployments of this application (and group, if given) fail."""
        with self._lock:
            self._codedeploy_rollbacks.add((application, group))

    def deny(self, service: str, operation: str) -> None:
        """Answer `service`'s `operation` with AccessDeniedException (e.g. codedeploy,
        ListDeploymentTargets: the IAM policy copied from the official action lacks it)."""
        with self._lock:
            self._denied.add((service, operation))

    def denied(self, service: str, operation: str) -> bool:
        with self._lock:
            return (service, operation) in self._denied

    def set_stage_events(self, enabled: bool) -> None:
        """Off: no "entered lifecycle stage" service events (the emulator's own wording, for
        people; AWS documents the stage on DescribeServiceDeployments only)."""
        with self._lock:
            self._stage_events = enabled

    @property
    def stage_events(self) -> bool:
        with self._lock:
            return self._stage_events

    def clear(self) -> None:
        with self._lock:
            self._stage_events = True
            self._by_image.clear()
            self._by_container.clear()
            self._codedeploy.clear()
            self._codedeploy_rollbacks.clear()
            self._denied.clear()
            self._capacity_missing = False

    @property
    def run_task_capacity_missing(self) -> bool:
        with self._lock:
            return self._capacity_missing

    def codedeploy_fails(self, application: str, group: str, *, rollback: bool = False) -> bool:
        with self._lock:
            chosen = self._codedeploy_rollbacks if rollback else self._codedeploy
            return (application, None) in chosen or (application, group) in chosen

    def for_container(self, container_definition: Mapping[str, Any]) -> Fault | None:
        """The fault for one container definition: by name, then image, then docker label."""
        with self._lock:
            by_name = self._by_container.get(str(container_definition.get("name", "")))
            by_image = self._by_image.get(str(container_definition.get("image", "")))
        if by_name is not None:
            return by_name
        if by_image is not None:
            return by_image
        label = (container_definition.get("dockerLabels") or {}).get(FAULT_LABEL)
        if label:
            try:
                return parse_fault(str(label))
            except InputError:
                return None  # a bad label must not break the emulated ECS
        return None

    def for_any(self, container_definitions: Iterable[Mapping[str, Any]]) -> list[Fault]:
        return [f for c in container_definitions if (f := self.for_container(c)) is not None]

    def load(self, path: Path) -> None:
        """Read a faults file (YAML or JSON)::

        images: {"repo/app:bad": crash}
        containers: {migrate: "exit:1"}
        run_task_capacity_missing: false
        codedeploy: [{application: AppECS-demo-web, group: DgpECS-demo-web}]
        """
        try:
            text = path.read_text(encoding="utf-8")
            data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        except (OSError, ValueError, yaml.YAMLError) as exc:
            raise InputError(f"cannot read faults file {path}: {exc}") from exc
        if not isinstance(data, dict):
            raise InputError(f"faults file {path}: expected a mapping at the top")
        for image, mode in _mapping(data, "images", path).items():
            self.set_for_image(str(image), parse_fault(str(mode)))
        for name, mode in _mapping(data, "containers", path).items():
            self.set_for_container(str(name), parse_fault(str(mode)))
        if data.get("run_task_capacity_missing"):
            self.set_run_task_capacity_missing(True)
        for entry in data.get("codedeploy") or []:
            if not isinstance(entry, dict) or "application" not in entry:
                raise InputError(f"faults file {path}: codedeploy entries need 'application'")
            self.fail_codedeploy(str(entry["application"]), entry.get("group"))


def _mapping(data: Mapping[str, Any], key: str, path: Path) -> Mapping[str, Any]:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise InputError(f"faults file {path}: '{key}' must be a mapping")
    return value
