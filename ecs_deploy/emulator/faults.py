"""Failure modes the emulator can inflict, and the book that says which task gets which.

A fault is chosen per container name, per image, or by the container definition's docker
label `emulator.fault` (so a user can try one with nothing but a task definition). The first
of those that matches wins, in that order.
"""

from __future__ import annotations

import json
import math
import random
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
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
    TRANSIENT_PULL_FAILURE = "transient_pull_failure"
    PLACEMENT_DELAY = "placement_delay"


# Causes of a failed start: the stoppedReason texts are in tasks.py, with their sources.
PULL_CAUSES = ("not-found", "toomanyrequests", "timeout", "capacity", "resource-init")
TRANSIENT_CAUSES = PULL_CAUSES[1:]
# Kinds that are a hiccup, not a broken revision: a CodeDeploy deployment still succeeds.
TRANSIENT_KINDS = frozenset({"keep_running", "transient_pull_failure", "placement_delay"})


@dataclass(frozen=True, slots=True)
class Fault:
    """One failure mode. Use the constants (`Fault.CRASH`) or the constructors
    (`Fault.exit_code(n)`, `Fault.transient_pull_failure(n)`, `Fault.placement_delay(s)`)."""

    kind: FaultKind
    code: int | None = None
    cause: str | None = None  # PULL_FAILURE / TRANSIENT_PULL_FAILURE: which stoppedReason
    failures: int | None = None  # TRANSIENT_PULL_FAILURE: how many tasks fail first
    seconds: float | None = None  # PLACEMENT_DELAY: ECS seconds nothing can be placed
    pull_seconds: float | None = None  # PLACEMENT_DELAY: image pull time (None: clock.PULL)

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

    @classmethod
    def pull_failure(cls, cause: str = "not-found") -> Fault:
        """Every task fails to start with the CannotPullContainerError (or capacity /
        ResourceInitializationError) text of `cause` (one of PULL_CAUSES)."""
        if cause not in PULL_CAUSES:
            raise InputError(f"pull failure cause {cause!r}; use one of {', '.join(PULL_CAUSES)}")
        return cls(FaultKind.PULL_FAILURE, cause=None if cause == "not-found" else cause)

    @classmethod
    def transient_pull_failure(cls, failures: int, cause: str = "toomanyrequests") -> Fault:
        """The first `failures` tasks launched with this container/image fail to start
        (TaskFailedToStart, no exitCode); later ones start normally."""
        if isinstance(failures, bool) or not isinstance(failures, int) or failures < 1:
            raise InputError(f"transient pull failure: failures={failures!r} must be >= 1")
        if cause not in TRANSIENT_CAUSES:
            raise InputError(
                f"transient pull failure cause {cause!r}; use one of {', '.join(TRANSIENT_CAUSES)}"
            )
        return cls(FaultKind.TRANSIENT_PULL_FAILURE, cause=cause, failures=failures)

    @classmethod
    def placement_delay(cls, ecs_seconds: float, pull_seconds: float | None = None) -> Fault:
        """For `ecs_seconds` after its deployment began no task with this container is
        placed; then tasks are placed and their image pull takes `pull_seconds`."""
        for name, value in (("ecs_seconds", ecs_seconds), ("pull_seconds", pull_seconds)):
            if value is None and name == "pull_seconds":
                continue
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or value < 0
            ):
                raise InputError(f"placement delay: {name}={value!r} must be >= 0 seconds")
        return cls(
            FaultKind.PLACEMENT_DELAY,
            seconds=float(ecs_seconds),
            pull_seconds=None if pull_seconds is None else float(pull_seconds),
        )

    @property
    def fails_to_start(self) -> bool:
        return self.kind in (
            FaultKind.PULL_FAILURE,
            FaultKind.MISSING_SECRET,
            FaultKind.TRANSIENT_PULL_FAILURE,
        )

    def __str__(self) -> str:
        if self.kind is FaultKind.EXIT_CODE:
            return f"exit:{self.code}"
        if self.kind is FaultKind.TRANSIENT_PULL_FAILURE:
            return f"transient-pull-failure:{self.failures}:{self.cause}"
        if self.kind is FaultKind.PLACEMENT_DELAY:
            pull = "" if self.pull_seconds is None else f":{self.pull_seconds:g}"
            return f"placement-delay:{self.seconds:g}{pull}"
        if self.kind is FaultKind.PULL_FAILURE and self.cause:
            return f"pull-failure:{self.cause}"
        return self.kind.value


Fault.CRASH = Fault(FaultKind.CRASH)
Fault.OOM = Fault(FaultKind.OOM)
Fault.PULL_FAILURE = Fault(FaultKind.PULL_FAILURE)
Fault.MISSING_SECRET = Fault(FaultKind.MISSING_SECRET)
Fault.NEVER_PLACED = Fault(FaultKind.NEVER_PLACED)
Fault.UNHEALTHY = Fault(FaultKind.UNHEALTHY)
Fault.KEEP_RUNNING = Fault(FaultKind.KEEP_RUNNING)


def parse_fault(text: str) -> Fault:
    """`crash`, `oom`, `pull-failure`, `pull-failure:CAUSE`, `missing_secret`, `never-placed`,
    `unhealthy`, `keep-running`, `exit:N` (also `exit=N`, `exit_code:N`),
    `transient-pull-failure:N[:CAUSE]`, `placement-delay:SECONDS[:PULL_SECONDS]`."""
    head, _, rest = text.strip().lower().partition(":")
    head = head.replace("-", "_")
    if head in ("transient_pull_failure", "placement_delay", "pull_failure") and rest:
        return _parse_parameterised(text, head, rest.split(":"))
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
    if kind is FaultKind.TRANSIENT_PULL_FAILURE:
        raise InputError(f"fault {text!r}: say how many tasks fail, e.g. transient-pull-failure:2")
    if kind is FaultKind.PLACEMENT_DELAY:
        raise InputError(f"fault {text!r}: say how long, e.g. placement-delay:120")
    return Fault(kind)


def _parse_parameterised(text: str, head: str, parts: list[str]) -> Fault:
    try:
        if head == "pull_failure" and len(parts) == 1:
            return Fault.pull_failure(parts[0])
        if head == "transient_pull_failure" and len(parts) in (1, 2):
            return Fault.transient_pull_failure(int(parts[0]), *parts[1:])
        if head == "placement_delay" and len(parts) in (1, 2):
            return Fault.placement_delay(*(float(p) for p in parts))
    except ValueError:
        pass
    raise InputError(
        f"fault {text!r}: expected pull-failure:CAUSE, transient-pull-failure:N[:CAUSE] or "
        "placement-delay:SECONDS[:PULL_SECONDS]"
    )


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
        # transient faults: (matched by, key) -> tasks launched with it so far
        self._launches: dict[tuple[str, str], int] = {}
        self._injected: list[_Injected] = []

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

    def inject(self, fault: ApiFault) -> None:
        """Fail (or slow down) API calls as `fault` says, from now on (see ApiFault)."""
        if not isinstance(fault, ApiFault):
            raise InputError("inject() takes an ApiFault")
        with self._lock:
            self._injected.append(_Injected(fault, time.monotonic()))

    def clear_injected(self) -> None:
        with self._lock:
            self._injected.clear()

    def injected_for(self, service: str, operation: str) -> ApiFault | None:
        """The injected fault that hits this call, if any (first match wins; each fault's
        seeded generator decides its `rate`, so a run hits the same calls every time)."""
        now = time.monotonic()
        with self._lock:
            self._injected = [i for i in self._injected if not i.expired(now)]
            for injected in self._injected:
                if injected.matches(service, operation) and injected.hits():
                    return injected.fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._injected.clear()
            self._launches.clear()
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

    def for_launch(self, container_definition: Mapping[str, Any]) -> Fault | None:
        """The fault for a container of a task being launched now. A transient pull failure
        counts the launches: it hits the first `failures` of them, later ones start cleanly."""
        fault = self.for_container(container_definition)
        if fault is None or fault.kind is not FaultKind.TRANSIENT_PULL_FAILURE:
            return fault
        key = self._key_of(container_definition)
        with self._lock:
            launched = self._launches.get(key, 0)
            self._launches[key] = launched + 1
        return fault if launched < int(fault.failures or 0) else None

    def _key_of(self, container_definition: Mapping[str, Any]) -> tuple[str, str]:
        name = str(container_definition.get("name", ""))
        image = str(container_definition.get("image", ""))
        with self._lock:
            if name in self._by_container:
                return ("container", name)
            if image in self._by_image:
                return ("image", image)
        return ("label", f"{name}@{image}")

    def for_any(self, container_definitions: Iterable[Mapping[str, Any]]) -> list[Fault]:
        return [f for c in container_definitions if (f := self.for_container(c)) is not None]

    def load(self, path: Path) -> None:
        """Read a faults file (YAML or JSON)::

        images: {"repo/app:bad": crash}
        containers: {migrate: "exit:1"}
        run_task_capacity_missing: false
        codedeploy: [{application: AppECS-demo-web, group: DgpECS-demo-web}]
        api: [{operation: DescribeServices, kind: throttle, rate: 0.5}]
        modes: {rollback: reuse}   # read by the CLI (load_modes), not here
        """
        data = _read(path)
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
        for entry in data.get("api") or []:
            if not isinstance(entry, dict):
                raise InputError(f"faults file {path}: api entries must be mappings")
            try:
                self.inject(ApiFault(**entry))
            except TypeError as exc:
                raise InputError(f"faults file {path}: api entry {entry}: {exc}") from exc


def load_modes(path: Path) -> dict[str, Any]:
    """The `modes:` mapping of a faults file ({} when it has none)."""
    data = _read(path)
    return dict(_mapping(data, "modes", path))


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read faults file {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(f"faults file {path}: expected a mapping at the top")
    return data


def _mapping(data: Mapping[str, Any], key: str, path: Path) -> Mapping[str, Any]:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise InputError(f"faults file {path}: '{key}' must be a mapping")
    return value


API_FAULT_KINDS = ("throttle", "500", "503", "reset", "slow")


@dataclass(frozen=True, slots=True)
class ApiFault:
    """Fail or slow down API calls (`FaultBook.inject`). What a client sees, per `kind`:

    - throttle: HTTP 400 ThrottlingException "Rate exceeded";
    - 500: HTTP 500 ServerException (ECS) / InternalFailure (other services);
    - 503: HTTP 503 ServiceUnavailableException;
    - reset: the connection is closed without an answer (botocore: ConnectionClosedError);
    - slow: the normal answer, `delay` wall seconds late.

    A failed call is not applied (a mutating one changes nothing, so a retry is safe).
    """

    operation: str  # e.g. "DescribeServices"; "*" for every operation
    kind: str  # "throttle" | "500" | "503" | "reset" | "slow"
    service: str = "ecs"  # signing name: ecs, codedeploy, logs
    rate: float = 1.0  # fraction of matching calls hit (deterministic: seeded RNG)
    for_seconds: float | None = None  # wall seconds from inject() (None: until cleared)
    delay: float = 2.0  # "slow": wall seconds before answering (outside the lock)
    seed: int = 0

    def __post_init__(self) -> None:
        if self.kind not in API_FAULT_KINDS:
            raise InputError(
                f"API fault kind {self.kind!r}; use one of {', '.join(API_FAULT_KINDS)}"
            )
        if not self.operation or not self.service:
            raise InputError("an API fault needs an operation ('*' for all) and a service")
        if isinstance(self.rate, bool) or not 0.0 <= float(self.rate) <= 1.0:
            raise InputError(f"API fault rate {self.rate!r} must be between 0 and 1")
        if self.for_seconds is not None and not float(self.for_seconds) > 0:
            raise InputError(f"API fault for_seconds {self.for_seconds!r} must be positive")
        if not float(self.delay) >= 0:
            raise InputError(f"API fault delay {self.delay!r} must not be negative")


@dataclass(slots=True)
class _Injected:
    fault: ApiFault
    since: float  # time.monotonic() of inject()
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.fault.seed)

    def expired(self, now: float) -> bool:
        return self.fault.for_seconds is not None and now - self.since >= self.fault.for_seconds

    def matches(self, service: str, operation: str) -> bool:
        return self.fault.service == service and self.fault.operation in ("*", operation)

    def hits(self) -> bool:
        if self.fault.rate >= 1.0:
            return True
        return self.rng.random() < self.fault.rate
