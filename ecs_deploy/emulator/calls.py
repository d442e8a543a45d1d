"""A record of the API calls the emulator served, for tests that count calls."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_READ_PREFIXES = ("Describe", "List", "Get", "BatchGet")


@dataclass(frozen=True, slots=True)
class RecordedCall:
    service: str  # signing name: "ecs", "codedeploy", "logs", "ec2", ...
    operation: str  # "UpdateService"
    at: float  # time.monotonic() when the request arrived
    # The injected API fault that hit it (faults.ApiFault.kind: "throttle", "500", "503",
    # "reset", "slow"), None for a call served normally. Only "slow" calls are still answered.
    fault: str | None = None
    # The request's JSON parameters (JSON protocols; empty for query-protocol services).
    params: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def mutating(self) -> bool:
        return not self.operation.startswith(_READ_PREFIXES)

    @property
    def faulted(self) -> bool:
        """The call failed by an injected fault (it was not applied; a slow one was)."""
        return self.fault is not None and self.fault != "slow"


class CallRecorder:
    """Thread-safe: the HTTP server records from many threads while a test reads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[RecordedCall] = []

    def record(self, call: RecordedCall) -> None:
        with self._lock:
            self._calls.append(call)

    def operations(self, service: str | None = None) -> list[RecordedCall]:
        with self._lock:
            return [c for c in self._calls if service is None or c.service == service]

    def mutating(self, service: str | None = None) -> list[RecordedCall]:
        return [c for c in self.operations(service) if c.mutating]

    def count(self, operation: str, service: str | None = None) -> int:
        """Every call of `operation`, faulted or not."""
        return sum(1 for c in self.operations(service) if c.operation == operation)

    def count_answered(self, operation: str, service: str | None = None) -> int:
        """Calls of `operation` that were served (no injected fault failed them)."""
        return sum(
            1 for c in self.operations(service) if c.operation == operation and not c.faulted
        )

    def params_of(self, operation: str, service: str | None = None) -> list[Mapping[str, Any]]:
        """The parameters of every call of `operation`, oldest first."""
        return [c.params for c in self.operations(service) if c.operation == operation]

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()
