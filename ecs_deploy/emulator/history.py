"""When each deployment changed state, on the clock RecordedCall uses (time.monotonic()).

Changes are found by comparing a snapshot of every service after each scheduler tick and each
API request (both under the emulator's lock, so a change is recorded before any client can
see it) instead of at each place that mutates state: nothing can be missed.

Recorded: a deployment's `status` (PRIMARY, ACTIVE; INACTIVE once ECS drops it) and
`rolloutState` (IN_PROGRESS, COMPLETED, FAILED), and the service's `taskDefinition`
(deployment_id "").
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from moto.ecs.models import EC2ContainerServiceBackend, ecs_backends

INACTIVE = "INACTIVE"
# (account, region, cluster, service) -> {(deployment id, field): value}
Snapshot = dict[tuple[str, str, str, str], dict[tuple[str, str], str]]


@dataclass(frozen=True, slots=True)
class StateChange:
    at: float  # time.monotonic(), as RecordedCall.at
    tick: int  # scheduler ticks since start or reset when the change was seen
    cluster: str
    service: str
    deployment_id: str  # "" for the service's taskDefinition
    field: str  # "status", "rolloutState" or "taskDefinition"
    value: str


class StateHistory:
    """Thread-safe: the scheduler and request threads observe while a test reads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._changes: list[StateChange] = []
        self._last: Snapshot = {}

    def observe(self, tick: int) -> None:
        """Record what changed since the last observation."""
        now = time.monotonic()
        current = _snapshot()
        with self._lock:
            for key in current.keys() | self._last.keys():
                _, _, cluster, service = key
                before, after = self._last.get(key, {}), current.get(key, {})
                for (deployment_id, field), value in after.items():
                    if before.get((deployment_id, field)) != value:
                        self._changes.append(
                            StateChange(now, tick, cluster, service, deployment_id, field, value)
                        )
                for deployment_id, field in before.keys() - after.keys():
                    if field == "status":  # ECS dropped the deployment
                        self._changes.append(
                            StateChange(now, tick, cluster, service, deployment_id, field, INACTIVE)
                        )
            self._last = current

    def changes(self) -> list[StateChange]:
        with self._lock:
            return list(self._changes)

    def clear(self) -> None:
        """Forget the changes and the snapshot (after moto's backends were reset)."""
        with self._lock:
            self._changes.clear()
            self._last = {}


def _snapshot() -> Snapshot:
    found: Snapshot = {}
    for account, region, backend in list(ecs_backends.iter_backends()):
        if not isinstance(backend, EC2ContainerServiceBackend):
            continue
        for service in list(backend.services.values()):
            values: dict[tuple[str, str], str] = {}
            if service.task_definition:
                values[("", "taskDefinition")] = str(service.task_definition)
            for deployment in service.deployments:
                for field in ("rolloutState", "status"):  # causal order: FAILED, then ACTIVE
                    if deployment.get(field):
                        values[(str(deployment["id"]), field)] = str(deployment[field])
            found[(account, region, service.cluster_name, service.name)] = values
    return found
