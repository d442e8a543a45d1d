"""Read YAML/JSON documents from users' files, keeping where each value came from."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ecs_deploy.errors import InputError, SourceLocation

PathKey = tuple[str | int, ...]


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
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{what} not found: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{what} path is a directory, not a file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {what} {path}: {exc}") from None


def load_document(path: Path, *, what: str) -> LocatedDocument:
    """Parse a JSON or YAML file; syntax errors name file:line:column."""
    text = read_text(path, what=what)
    if path.suffix.lower() == ".json":
        try:
            return LocatedDocument(path, json.loads(text))
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{what} is not valid JSON: {exc.msg}",
                location=SourceLocation(str(path), exc.lineno, exc.colno),
            ) from None
    return _load_yaml(path, text, what=what)


def _load_yaml(path: Path, text: str, *, what: str) -> LocatedDocument:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        location = SourceLocation(str(path), mark.line + 1, mark.column + 1) if mark else None
        problem = exc.problem or exc.context or "syntax error"
        raise InputError(f"{what} is not valid YAML: {problem}", location=location) from None
    except yaml.YAMLError as exc:
        raise InputError(
            f"{what} is not valid YAML: {exc}", location=SourceLocation(str(path))
        ) from None
    finally:
        loader.dispose()
    document = LocatedDocument(path, data)
    if node is not None:
        _record_locations(node, (), document)
    return document


def _record_locations(node: yaml.Node, where: PathKey, document: LocatedDocument) -> None:
    document.values[where] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            child = (*where, str(key_node.value))
            document.keys[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _record_locations(value_node, child, document)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_locations(item, (*where, index), document)


def format_path(where: PathKey) -> str:
    """services[0].containers[1] style, for messages."""
    text = ""
    for part in where:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(top level)"
