"""Durations as users write them: "90s", "10m", "1h", "1h30m", "250ms", or plain seconds."""

from __future__ import annotations

import math
import re

from ecs_deploy.errors import InputError

_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")


def parse_duration(text: str, *, name: str) -> float:
    """Seconds in `text`; `name` is the input it came from, for the error message."""
    value = text.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        seconds = float(value)
    else:
        parts = _PART.findall(value)
        if not value or "".join(number + unit for number, unit in parts) != value:
            raise InputError(
                f"{name}: {text!r} is not a duration; use a number with a unit such as 90s, "
                "10m or 1h"
            )
        seconds = sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)
    if not math.isfinite(seconds):  # 400 digits make float('inf')
        raise InputError(f"{name}: {text!r} is not a finite duration")
    return seconds


def format_duration(seconds: float) -> str:
    """A short human form: 45s, 2m05s, 1h02m."""
    whole = round(seconds)
    if whole < 60:
        return f"{seconds:.1f}s" if seconds < 10 else f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
