"""What the patched backends and the scheduler share: faults, the ECS clock, the log sink."""

from __future__ import annotations

from dataclasses import dataclass

from .clock import EcsClock
from .faults import FaultBook
from .tasks import LogSink


@dataclass(frozen=True, slots=True)
class EmulatorRuntime:
    faults: FaultBook
    clock: EcsClock
    logs: LogSink
