"""Make a task definition acceptable to RegisterTaskDefinition, guided by botocore's model.

Walking the document along the model (not a hand-written allow-list) keeps every field the
pinned botocore knows, including ones newer than this code, and drops exactly what
RegisterTaskDefinition would reject: describe-only members and typos.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ecs_deploy.errors import InputError, SourceLocation
from ecs_deploy.plan.coerce import CoercionError, coerce_scalar
from ecs_deploy.plan.jsontypes import JsonDict
from ecs_deploy.plan.shape import Shape
from ecs_deploy.plan.values import KEEP_EMPTY_VALUE_LISTS, is_empty, kind

Trail = tuple[str | int, ...]  # keys and indexes from the definition's top


@dataclass(frozen=True, slots=True)
class NormalizedTaskDefinition:
    """A register-ready copy, with what was dropped and what was converted, as dotted paths."""

    task_definition: JsonDict
    dropped: tuple[str, ...]
    coerced: tuple[str, ...]
    # Where each dropped key is, as a path of keys and indexes (parallel to `dropped`).
    dropped_at: tuple[tuple[str | int, ...], ...] = ()


def normalize_for_register(
    task_definition: Mapping[str, object],
    shape: Shape,
    *,
    keep_empty: bool = False,
    keep_empty_keys: frozenset[str] = frozenset(),
    source: str | None = None,
) -> NormalizedTaskDefinition:
    """Keep what `shape` accepts, drop nulls, coerce scalars and remove empty values.

    Empty values ("", [], {}) are removed recursively as the official action does, except an
    empty `value` of an environment or proxy property entry. `keep_empty` turns that removal
    off (nulls are always dropped: boto3 rejects them); `keep_empty_keys` turns it off for
    the values of those keys only (the official action's keep-null-value-keys). Raises
    InputError for a value of the wrong kind or a missing required member.
    """
    walker = _Walker(
        keep_empty=keep_empty,
        location=SourceLocation(source) if source else None,
        keep_empty_keys=keep_empty_keys,
    )
    result = walker.structure(task_definition, shape, "", ())
    walker.check_required(result, shape, "")
    return NormalizedTaskDefinition(
        result, tuple(walker.dropped), tuple(walker.coerced), tuple(walker.dropped_at)
    )


class _Absent:
    """Marks a value to leave out of the result (null, or empty)."""


_ABSENT = _Absent()


@dataclass(slots=True)
class _Walker:
    """One normalisation pass; collects dropped and coerced paths as it goes."""

    keep_empty: bool
    location: SourceLocation | None
    keep_empty_keys: frozenset[str] = frozenset()
    dropped: list[str] = field(default_factory=list)
    coerced: list[str] = field(default_factory=list)
    dropped_at: list[Trail] = field(default_factory=list)

    def value(
        self, node: object, shape: Shape, path: str, trail: Trail, *, keeps_value: bool = False
    ) -> object:
        """Normalise `node`; `keeps_value` marks entries of lists in KEEP_EMPTY_VALUE_LISTS."""
        # A blank where an object or list belongs is a template left empty, not a type error.
        if node is None or (not self.keep_empty and is_empty(node)):
            return _ABSENT
        result: object
        if shape.type_name == "structure":
            result = self.structure(node, shape, path, trail, keeps_value=keeps_value)
        elif shape.type_name == "list":
            result = self.sequence(node, shape, path, trail, keeps_value=keeps_value)
        elif shape.type_name == "map":
            result = self.mapping(node, shape, path, trail)
        else:
            result = self.scalar(node, shape, path)
        if not self.keep_empty and is_empty(result):
            return _ABSENT
        if isinstance(result, dict) and shape.type_name == "structure":
            self.check_required(result, shape, path)
        return result

    def structure(
        self, node: object, shape: Shape, path: str, trail: Trail, *, keeps_value: bool = False
    ) -> JsonDict:
        if not isinstance(node, Mapping):
            raise self.error(path, f"expected an object, got {kind(node)}")
        result: JsonDict = {}
        for key, child in node.items():
            child_path = f"{path}.{key}" if path else str(key)
            member = shape.members.get(key) if isinstance(key, str) else None
            if member is None:
                self.dropped.append(child_path)
                self.dropped_at.append((*trail, str(key)))
                continue
            if key in self.keep_empty_keys and child is not None and is_empty(child):
                result[key] = child  # keep-null-value-keys: kept as it is
                continue
            keeps = key in KEEP_EMPTY_VALUE_LISTS
            value = self.value(child, member, child_path, (*trail, key), keeps_value=keeps)
            if value is not _ABSENT:
                result[key] = value
        if keeps_value and node.get("value") == "" and "value" in shape.members:
            result["value"] = ""
        return result

    def sequence(
        self, node: object, shape: Shape, path: str, trail: Trail, *, keeps_value: bool = False
    ) -> list[object]:
        if not isinstance(node, list | tuple):
            raise self.error(path, f"expected a list, got {kind(node)}")
        keeps_blank_strings = shape.member.type_name == "string"
        items = (
            # "" arguments are kept; a list of nothing else is removed as empty (is_empty).
            item
            if item == "" and keeps_blank_strings
            else self.value(
                item, shape.member, f"{path}[{index}]", (*trail, index), keeps_value=keeps_value
            )
            for index, item in enumerate(node)
        )
        return [item for item in items if item is not _ABSENT]

    def mapping(self, node: object, shape: Shape, path: str, trail: Trail) -> JsonDict:
        if not isinstance(node, Mapping):
            raise self.error(path, f"expected an object, got {kind(node)}")
        result: JsonDict = {}
        for key, child in node.items():
            child_path = f"{path}[{str(key)!r}]"
            name = self.scalar(key, shape.key, child_path)
            value = self.value(child, shape.value, child_path, (*trail, str(key)))
            if value is not _ABSENT:
                result[str(name)] = value
        return result

    def scalar(self, node: object, shape: Shape, path: str) -> object:
        try:
            result = coerce_scalar(node, shape.type_name)
        except CoercionError as exc:
            raise self.error(path, f"expected {exc.expected}, got {kind(node)}") from None
        if type(result) is not type(node) or result != node:
            self.coerced.append(path)
        return result

    def check_required(self, result: JsonDict, shape: Shape, path: str) -> None:
        missing = [name for name in shape.required_members if name not in result]
        if missing:
            names = ", ".join(repr(name) for name in missing)
            raise self.error(path, f"missing required key {names}")

    def error(self, path: str, problem: str) -> InputError:
        return InputError(f"{path or 'task definition'}: {problem}", location=self.location)
