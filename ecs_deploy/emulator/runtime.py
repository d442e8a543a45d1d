"""What the patched backends and the scheduler share: faults, the ECS clock, the log sink,
and the modes in force."""

from __future__ import annotations

from dataclasses import dataclass, field

from .clock import EcsClock
from .faults import FaultBook
from .modes import EmulatorModes, ModeSwitch
from .tasks import LogSink


@dataclass(frozen=True, slots=True)
class EmulatorRuntime:
    faults: FaultBook
    clock: EcsClock
    logs: LogSink
    switch: ModeSwitch = field(default_factory=ModeSwitch)

    @property
    def modes(self) -> EmulatorModes:
        return self.switch.current
