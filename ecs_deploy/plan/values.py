"""Small predicates and descriptions of JSON-like values, shared by the plan modules."""

from __future__ import annotations

from collections.abc import Mapping

# Keys of name/value entries whose empty value is meaningful and must survive empty-value
# removal: `FOO=""` in an environment differs from no FOO, and App Mesh proxy properties
# such as `IgnoredGID` may be legitimately empty.
KEEP_EMPTY_VALUE_LISTS = frozenset({"environment", "properties"})


def is_empty(value: object) -> bool:
    """ "", {}, and a list with nothing but "" in it; 0 and false are values, not empty.

    Unlike the official action, "" items of a list that has other items are kept: in
    `["redis-server", "--save", ""]` the empty argument means something.
    """
    if isinstance(value, list):
        return all(item == "" for item in value)
    return value == "" or (isinstance(value, Mapping) and len(value) == 0)


def kind(value: object) -> str:
    """A short phrase for a value's kind in an error message; never echoes the value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "a list"
    # Never the value itself: it is a file's content (an environment value, a password, or
    # a line of whatever file was given by mistake).
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number with a fraction" if not value.is_integer() else "a number"
    return f"a {type(value).__name__}"
