"""Where each value and key of a JSON text is, by path: what `json` does not tell.

Run on text `json.loads` already accepted, so the scan only tokenizes: strings, punctuation
and bare words (numbers, true, false, null). It also finds what `json` lets pass silently: a
key given twice in one object (the last one would win), and nesting beyond a bound.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field

PathKey = tuple[str | int, ...]
Position = tuple[int, int]  # 1-based line and column

_TOKEN = re.compile(r'[ \t\r\n]*(?:("(?:[^"\\]|\\.)*")|([{}\[\],:])|([^ \t\r\n{}\[\],:"]+))', re.S)


class DuplicateKey(Exception):
    """A key given twice in one object: where first, where again."""

    def __init__(self, key: str, first: Position, second: Position) -> None:
        super().__init__(key)
        self.key, self.first, self.second = key, first, second


class TooDeep(Exception):
    """Nesting beyond the caller's bound (at: the list or object one level too deep)."""

    def __init__(self, at: Position) -> None:
        super().__init__(at)
        self.at = at


class TooMany(Exception):
    """More values than the caller's bound (at: where the first one too many is)."""

    def __init__(self, at: Position) -> None:
        super().__init__(at)
        self.at = at


@dataclass(frozen=True, slots=True)
class JsonPositions:
    values: dict[PathKey, Position] = field(default_factory=dict)
    keys: dict[PathKey, Position] = field(default_factory=dict)


@dataclass(slots=True)
class _Open:
    """An object or array being scanned."""

    path: PathKey
    is_object: bool
    index: int = 0  # arrays: the next item's index
    key: str | None = None  # objects: the key whose value comes next
    seen: dict[str, Position] = field(default_factory=dict)


def json_positions(text: str, *, max_depth: int, max_values: int) -> JsonPositions:
    """Positions of `text`'s values and keys; raises DuplicateKey, TooDeep or TooMany."""
    line_starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def position(offset: int) -> Position:
        line = bisect.bisect_right(line_starts, offset)
        return line, offset - line_starts[line - 1] + 1

    found = JsonPositions()
    stack: list[_Open] = []
    expecting_key = False
    for match in _TOKEN.finditer(text):
        string, punctuation, _ = match.groups()
        offset = match.start(match.lastindex or 0)
        top = stack[-1] if stack else None
        if punctuation in ("}", "]"):
            stack.pop()
            expecting_key = False
            continue
        if punctuation == ",":
            if top is not None and top.is_object:
                expecting_key = True
            elif top is not None:
                top.index += 1
            continue
        if punctuation == ":":
            continue
        if expecting_key and top is not None and string is not None:
            key = str(json.loads(string))
            at = position(offset)
            if key in top.seen:
                raise DuplicateKey(key, top.seen[key], at)
            top.seen[key] = at
            top.key = key
            found.keys[(*top.path, key)] = at
            expecting_key = False
            continue
        # A value: the document, an array item or an object member.
        if top is None:
            where: PathKey = ()
        elif top.is_object:
            where = (*top.path, top.key or "")
        else:
            where = (*top.path, top.index)
        found.values[where] = position(offset)
        if len(found.values) > max_values:
            raise TooMany(position(offset))
        if punctuation in ("{", "["):
            if len(stack) >= max_depth:
                raise TooDeep(position(offset))
            stack.append(_Open(where, is_object=punctuation == "{"))
            expecting_key = punctuation == "{"
    return found
