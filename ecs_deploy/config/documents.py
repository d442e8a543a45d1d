"""Read YAML/JSON documents from users' files, keeping where each value came from.

Files are read the way people keep them (a UTF-8 byte-order mark, or UTF-16 with its mark,
as Windows tools save them) and within bounds, so a hostile or mistaken file is refused in
milliseconds: at most MAX_FILE_BYTES, at most MAX_VALUES values once YAML aliases are expanded
(an alias bomb), nesting at most MAX_DEPTH deep. A key given twice in one mapping is an error
naming both lines. Messages name the file and the position, never the file's content.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from ecs_deploy.config.json_positions import DuplicateKey, TooDeep, TooMany, json_positions
from ecs_deploy.errors import InputError, SourceLocation

PathKey = tuple[str | int, ...]

MAX_FILE_BYTES = 1024 * 1024  # 1 MiB: far more than any task definition or application file
# Scalars, lists and mappings, each use of a YAML alias counted in full. A task definition at
# ECS's size limit has a few thousand; an application file with 100 services, a few hundred.
MAX_VALUES = 20_000
MAX_DEPTH = 64  # lists and mappings inside each other

_MERGE_TAG = "tag:yaml.org,2002:merge"
if TYPE_CHECKING:  # the pure-Python parser's marks, or libyaml's (absent without libyaml)
    _Mark = yaml.error.Mark | yaml._yaml.Mark
_UTF16_MARKS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass(frozen=True, slots=True)
class LocatedDocument:
    """Parsed data plus the line/column of every value and mapping key, by path."""

    path: Path
    data: object
    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def location(self, where: PathKey, *, of_key: bool = False) -> SourceLocation:
        """The closest known position for `where` (walking up to parents when unknown)."""
        table = self.keys if of_key else self.values
        probe = where
        while probe not in table and probe:
            probe = probe[:-1]
            table = self.values
        line, column = table.get(probe, (1, 1))
        return SourceLocation(str(self.path), line, column)


def read_text(path: Path, *, what: str) -> str:
    """The file's text: at most MAX_FILE_BYTES, UTF-8 (a byte-order mark is dropped)."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"{what} not found: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{what} path is a directory, not a file: {path}") from None
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise InputError(
            f"{what} is larger than {MAX_FILE_BYTES // 1024} KiB, the most ecs-deploy reads; "
            "is it the right file?",
            location=SourceLocation(str(path)),
        )
    return _decode(raw, path, what=what)


def _decode(raw: bytes, path: Path, *, what: str) -> str:
    # UTF-16 with its mark: what Windows PowerShell's `>` and Notepad's "Unicode" save.
    # utf-8-sig drops a UTF-8 byte-order mark.
    encoding = "utf-16" if raw.startswith(_UTF16_MARKS) else "utf-8-sig"
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            f"{what} is not {encoding.removesuffix('-sig').upper()} text; save it as UTF-8",
            location=SourceLocation(str(path), line, column),
        ) from None


def load_document(path: Path, *, what: str) -> LocatedDocument:
    """Parse a JSON or YAML file; syntax errors name file:line:column."""
    text = read_text(path, what=what)
    if path.suffix.lower() == ".json":
        return _load_json(path, text, what=what)
    return _load_yaml(path, text, what=what)


def _load_json(path: Path, text: str, *, what: str) -> LocatedDocument:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{what} is not valid JSON: {exc.msg}",
            location=SourceLocation(str(path), exc.lineno, exc.colno),
        ) from None
    except RecursionError:
        raise InputError(
            f"{what} nests lists and objects too deeply (at most {MAX_DEPTH} levels)",
            location=SourceLocation(str(path)),
        ) from None
    try:
        positions = json_positions(text, max_depth=MAX_DEPTH, max_values=MAX_VALUES)
    except DuplicateKey as exc:
        raise InputError(
            f"{what} has the key {_shown(exc.key)} twice in one object (lines {exc.first[0]} "
            f"and {exc.second[0]}); keep one",
            location=SourceLocation(str(path), *exc.second),
        ) from None
    except TooDeep as exc:
        raise InputError(
            f"{what} nests lists and objects more than {MAX_DEPTH} levels deep",
            location=SourceLocation(str(path), *exc.at),
        ) from None
    except TooMany as exc:
        raise InputError(
            f"{what} has more than {MAX_VALUES} values", location=SourceLocation(str(path), *exc.at)
        ) from None
    return LocatedDocument(path, data, positions.values, positions.keys)


def _load_yaml(path: Path, text: str, *, what: str) -> LocatedDocument:
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
        document = LocatedDocument(path, None)
        if node is not None:
            _record_locations(node, document)
            document = LocatedDocument(
                path, loader.construct_document(node), document.values, document.keys
            )
    except _Refused as exc:
        raise InputError(f"{what} {exc.problem}", location=_at(path, exc.mark)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = _without_content(exc.problem or exc.context or "syntax error")
        raise InputError(f"{what} is not valid YAML: {problem}", location=_at(path, mark)) from None
    except yaml.YAMLError:
        raise InputError(f"{what} is not valid YAML", location=SourceLocation(str(path))) from None
    finally:
        loader.dispose()
    return document


# PyYAML quotes what it found: a character ('\t', ':') or a parser token ('<stream end>')
# helps; an alias or tag name is the file's own text and is not shown.
_QUOTED = re.compile(r"'([^']*)'")


def _without_content(problem: str) -> str:
    def shown(match: re.Match[str]) -> str:
        text = match.group(1)
        keep = len(text) <= 2 or (text.startswith("<") and text.endswith(">"))
        return match.group(0) if keep else "(not shown)"

    return _QUOTED.sub(shown, problem)


def _at(path: Path, mark: _Mark | None) -> SourceLocation:
    if mark is None:
        return SourceLocation(str(path))
    return SourceLocation(str(path), mark.line + 1, mark.column + 1)


class _Refused(Exception):
    """Internal: a bound or rule the file breaks; becomes an InputError with the position."""

    def __init__(self, problem: str, mark: _Mark | None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.mark = mark


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader whose composer counts values as it goes, aliases at their expanded size.

    A "billion laughs" file is a few hundred bytes of nested aliases; counting each alias as
    the values it stands for stops it after MAX_VALUES, before anything is constructed.
    """

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._count = 0
        self._depth = 0
        # id(collection) -> (values, depth), once composed: an anchor used before that is
        # an alias inside itself (a cycle).
        self._sizes: dict[int, tuple[int, int]] = {}

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            anchored = self.anchors.get(event.anchor)
            if anchored is not None:
                done = isinstance(anchored, yaml.ScalarNode) or id(anchored) in self._sizes
                if not done:
                    raise _Refused("has an alias inside its own anchor", event.start_mark)
                size, depth = self._sizes.get(id(anchored), (1, 1))
                self._add(size, depth, event.start_mark)
            return super().compose_node(parent, index)
        before = self._count
        self._add(1, 1, event.start_mark)
        self._depth += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if node is not None and not isinstance(node, yaml.ScalarNode):
            self._sizes[id(node)] = (self._count - before, self._height(node))
        return node

    def _add(self, size: int, depth: int, mark: _Mark | None) -> None:
        self._count += size
        if self._count > MAX_VALUES:
            raise _Refused(
                f"has more than {MAX_VALUES} values (each use of an alias counted in full)",
                mark,
            )
        if self._depth + depth > MAX_DEPTH:
            raise _Refused(f"nests lists and mappings more than {MAX_DEPTH} levels deep", mark)

    def _height(self, node: yaml.Node) -> int:
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        return 1 + max((self._sizes.get(id(c), (1, 1))[1] for c in children), default=0)


def _record_locations(root: yaml.Node, document: LocatedDocument) -> None:
    """Positions of every value and key by path; a key twice in one mapping is refused.

    Aliases are followed (their values have paths of their own); the composer bounded the walk.
    """
    pending: list[tuple[yaml.Node, PathKey]] = [(root, ())]
    while pending:
        node, where = pending.pop()
        document.values[where] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            seen: dict[tuple[str, str], yaml.Node] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                    continue
                identity = (key_node.tag, key_node.value)
                if identity in seen:
                    first = seen[identity].start_mark.line + 1
                    raise _Refused(
                        f"has the key {_shown(key_node.value)} twice in one mapping (lines "
                        f"{first} and {key_node.start_mark.line + 1}); keep one",
                        key_node.start_mark,
                    )
                seen[identity] = key_node
                child = (*where, str(key_node.value))
                mark = key_node.start_mark
                document.keys[child] = (mark.line + 1, mark.column + 1)
                pending.append((value_node, child))
        elif isinstance(node, yaml.SequenceNode):
            pending.extend((item, (*where, index)) for index, item in enumerate(node.value))


def _shown(key: str) -> str:
    """A key for a message: keys are names, but a long one is cut (it is still the file's)."""
    return repr(key if len(key) <= 40 else key[:37] + "...")


def format_path(where: PathKey) -> str:
    """services[0].containers[1] style, for messages."""
    text = ""
    for part in where:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(top level)"
