"""Task-level cpu and memory as ECS stores them: CPU units and MiB, as decimal strings.

RegisterTaskDefinition also accepts "0.25 vCPU" and "0.5 GB"; DescribeTaskDefinition returns
"256" and "512". Comparing the two needs one spelling.
"""

from __future__ import annotations

import re
from decimal import Decimal

_AMOUNT = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*")
_CPU_UNITS = {"": 1, "vcpu": 1024}
_MEMORY_MIB = {"": 1, "mb": 1, "mib": 1, "gb": 1024, "gib": 1024}


def cpu_units(value: object) -> str | None:
    """'0.25 vCPU' -> '256', '1 vCPU' -> '1024', 256 -> '256'; None if not understood."""
    return _scaled(value, _CPU_UNITS)


def memory_mib(value: object) -> str | None:
    """'0.5 GB' -> '512', '1GB' -> '1024', '512' -> '512'; None if not understood."""
    return _scaled(value, _MEMORY_MIB)


def _scaled(value: object, factors: dict[str, int]) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    match = _AMOUNT.fullmatch(str(value))
    if not match or match.group(2).lower() not in factors:
        return None
    amount = Decimal(match.group(1)) * factors[match.group(2).lower()]
    return str(int(amount)) if amount == amount.to_integral_value() else None
