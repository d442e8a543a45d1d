"""A local Amazon ECS emulator: moto as API and store, plus a scheduler that moves state the
way ECS documents it (deployments, tasks, circuit breaker, CodeDeploy, logs), with faults.

    from ecs_deploy.emulator import Emulator, Fault
    with Emulator() as emu:
        emu.faults.set_for_image("repo/app:bad", Fault.CRASH)
        ecs = emu.client("ecs")
"""

from .calls import CallRecorder, RecordedCall
from .emulator import Emulator
from .faults import FAULT_LABEL, ApiFault, Fault, FaultBook, FaultKind
from .history import StateChange
from .modes import EmulatorModes
from .seeding import Seeded

__all__ = [
    "FAULT_LABEL",
    "ApiFault",
    "CallRecorder",
    "Emulator",
    "EmulatorModes",
    "Fault",
    "FaultBook",
    "FaultKind",
    "RecordedCall",
    "Seeded",
    "StateChange",
]
