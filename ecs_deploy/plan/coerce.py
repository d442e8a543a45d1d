"""Coerce one scalar to the type botocore's model declares for it.

boto3 validates types client-side and rejects what the JavaScript SDK (and so the official
action) lets through: `"containerPort": "80"`, `"cpu": 256`, `"essential": "true"`. Files that
work there must work here, so unambiguous spellings are converted; anything else is an error.
"""

from __future__ import annotations

import math
import re

_INTEGER = re.compile(r"[+-]?[0-9]+")
_INTEGER_TYPES = frozenset({"integer", "long"})
_FLOAT_TYPES = frozenset({"double", "float"})


class CoercionError(ValueError):
    """`value` cannot be read as the model's type; `expected` says what would be accepted."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


def coerce_scalar(value: object, type_name: str) -> object:
    """Return `value` as the model type `type_name`, or raise CoercionError."""
    if type_name == "string":
        return _to_string(value)
    if type_name in _INTEGER_TYPES:
        return _to_integer(value)
    if type_name == "boolean":
        return _to_boolean(value)
    if type_name in _FLOAT_TYPES:
        return _to_float(value)
    # timestamp and blob do not occur in RegisterTaskDefinition; pass them to botocore as is.
    return value


def _to_string(value: object) -> str:
    if isinstance(value, str):
        return value
    # YAML reads `value: true` and `value: 8080` as bool and int; the user meant the text.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() else repr(value)
    raise CoercionError("a string")


def _to_integer(value: object) -> int:
    # bool is an int subclass; `true` for a port or a size is a mistake, not a number.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value.strip())
    raise CoercionError("an integer")


def _to_boolean(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise CoercionError("true or false")


def _to_float(value: object) -> int | float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            pass
        else:
            if math.isfinite(number):
                return number
    raise CoercionError("a number")
