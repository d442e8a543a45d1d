"""Emulator modes: switches between AWS behaviours that the default emulator does not show.

Each mode makes the emulator behave the way AWS is documented (or seen) to behave in a case a
client must cope with; the defaults keep the emulator as it was before modes existed. Where each
behaviour comes from is cited next to the code that models it and in README.md.

    Emulator(modes=EmulatorModes(rollback="reuse", event_dedup=True))
    emu.modes = dataclasses.replace(emu.modes, list_tasks="strict")   # at run time
    ecs-deploy emulator --mode rollback=reuse --mode event_dedup=true
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ecs_deploy.errors import InputError

CHOICES: dict[str, tuple[str, ...]] = {
    "rollback": ("new", "reuse"),
    "service_deployment_ids": ("deployment", "random"),
    "list_tasks": ("lenient", "strict"),
    "codedeploy_targets_before_start": ("empty", "raise"),
}
_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


@dataclass(frozen=True, slots=True)
class EmulatorModes:
    """Which of AWS's behaviours the emulator shows (see README.md, "Modes")."""

    rollback: str = "new"  # "new" | "reuse"
    event_dedup: bool = False
    service_deployment_ids: str = "deployment"  # "deployment" | "random"
    service_deployment_skew: float = 0.0  # ECS seconds added to each service deployment's createdAt
    current_service_deployment_lag: int = 0  # ticks service.currentServiceDeployment lags behind
    list_tasks: str = "lenient"  # "lenient" | "strict"
    codedeploy_targets_before_start: str = "empty"  # "empty" | "raise"
    codedeploy_start_delay: float = 0.0  # ECS seconds a new CodeDeploy deployment stays Created

    def __post_init__(self) -> None:
        for name, allowed in CHOICES.items():
            value = getattr(self, name)
            if value not in allowed:
                raise InputError(
                    f"mode {name}={value!r} is unknown; use one of {', '.join(allowed)}"
                )
        if not isinstance(self.event_dedup, bool):
            raise InputError(f"mode event_dedup={self.event_dedup!r} must be true or false")
        for name in ("service_deployment_skew", "codedeploy_start_delay"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InputError(f"mode {name}={value!r} must be a number of ECS seconds")
            if not math.isfinite(value):
                raise InputError(f"mode {name}={value!r} must be finite")
        if self.codedeploy_start_delay < 0:
            raise InputError("mode codedeploy_start_delay must not be negative")
        lag = self.current_service_deployment_lag
        if isinstance(lag, bool) or not isinstance(lag, int) or lag < 0:
            raise InputError(
                f"mode current_service_deployment_lag={lag!r} must be a whole number of ticks >= 0"
            )

    def with_values(self, values: Mapping[str, Any]) -> EmulatorModes:
        """These modes with `values` (strings as a CLI gives them, or typed values) applied."""
        known = {f.name: f for f in dataclasses.fields(self)}
        changes: dict[str, Any] = {}
        for key, raw in values.items():
            name = str(key).strip().replace("-", "_")
            if name not in known:
                raise InputError(f"unknown mode {key!r}; use one of {', '.join(known)}")
            changes[name] = _convert(name, getattr(self, name), raw)
        return dataclasses.replace(self, **changes)

    def with_assignments(self, assignments: Iterable[str]) -> EmulatorModes:
        """`KEY=VALUE` strings (the CLI's `--mode`) applied to these modes."""
        values: dict[str, str] = {}
        for text in assignments:
            key, sep, value = text.partition("=")
            if not sep or not key.strip():
                raise InputError(f"mode {text!r}: expected KEY=VALUE, e.g. rollback=reuse")
            values[key.strip()] = value.strip()
        return self.with_values(values)


def _convert(name: str, current: Any, raw: Any) -> Any:
    if not isinstance(raw, str):
        return raw  # typed (YAML, Python): __post_init__ checks it
    text = raw.strip()
    if isinstance(current, bool):
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise InputError(f"mode {name}={raw!r} must be true or false")
    if isinstance(current, int):
        try:
            return int(text)
        except ValueError:
            raise InputError(f"mode {name}={raw!r} must be a whole number") from None
    if isinstance(current, float):
        try:
            return float(text)
        except ValueError:
            raise InputError(f"mode {name}={raw!r} must be a number") from None
    return text


class ModeSwitch:
    """The modes in force; the Emulator sets them, the scheduler and hooks read them."""

    def __init__(self, modes: EmulatorModes | None = None) -> None:
        self.current = modes if modes is not None else EmulatorModes()
