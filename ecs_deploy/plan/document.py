"""Find the task definition in what a user gave us.

Users hand us a register-style task definition, or paste `aws ecs describe-task-definition
--include TAGS` output, which wraps it as `{"taskDefinition": {...}, "tags": [...]}`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass

from ecs_deploy.errors import InputError, SourceLocation
from ecs_deploy.plan.jsontypes import JsonDict
from ecs_deploy.plan.values import kind

# What DescribeTaskDefinition returns and RegisterTaskDefinition refuses. Dropping these is
# expected (pasted describe output); other dropped keys are worth a warning.
DESCRIBE_ONLY_FIELDS = frozenset(
    {
        "taskDefinitionArn",
        "revision",
        "status",
        "requiresAttributes",
        "compatibilities",
        "registeredAt",
        "registeredBy",
        "deregisteredAt",
        "deleteRequestedAt",
    }
)

_EXPECTED = (
    "expected a task definition (an object with a 'containerDefinitions' list) or "
    "describe-task-definition output (an object with 'taskDefinition')"
)


@dataclass(frozen=True, slots=True)
class UnwrappedTaskDefinition:
    """The task definition (without tags) and its tags, both copies of the input."""

    task_definition: JsonDict
    tags: list[JsonDict]
    at: tuple[str, ...] = ()  # where the definition is in the document: ("taskDefinition",)


def unwrap(document: object, *, source: str | None = None) -> UnwrappedTaskDefinition:
    """Return the task definition inside `document` and its tags.

    Tags come from the describe wrapper and from an inline `tags` key; they are kept apart
    from the definition so that comparing two revisions is not disturbed by tags.
    """
    location = SourceLocation(source) if source else None
    if not isinstance(document, Mapping):
        raise InputError(f"{_EXPECTED}, got {kind(document)}", location=location)

    wrapper_tags: object = []
    inner: object = document
    at: tuple[str, ...] = ()
    if "containerDefinitions" not in document and "taskDefinition" in document:
        inner = document["taskDefinition"]
        wrapper_tags = document.get("tags") or []
        at = ("taskDefinition",)
    if not isinstance(inner, Mapping):
        raise InputError(f"{_EXPECTED}; 'taskDefinition' is {kind(inner)}", location=location)
    if "containerDefinitions" not in inner:
        raise InputError(f"{_EXPECTED}; found keys: {_keys(inner)}", location=location)
    if not isinstance(inner["containerDefinitions"], list):
        found = kind(inner["containerDefinitions"])
        raise InputError(f"'containerDefinitions' must be a list, got {found}", location=location)

    definition = {str(key): copy.deepcopy(value) for key, value in inner.items() if key != "tags"}
    tags = _tag_list(wrapper_tags, location) + _tag_list(inner.get("tags") or [], location)
    return UnwrappedTaskDefinition(task_definition=definition, tags=_last_per_key(tags), at=at)


def _keys(mapping: Mapping[object, object]) -> str:
    """The keys found, for a message: names only, cut short (a wrong file's keys are its own)."""
    names = sorted(str(key) if len(str(key)) <= 40 else str(key)[:37] + "..." for key in mapping)
    shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
    return shown or "none"


def _tag_list(tags: object, location: SourceLocation | None) -> list[JsonDict]:
    if not isinstance(tags, list) or not all(isinstance(tag, Mapping) for tag in tags):
        raise InputError(
            f"tags must be a list of {{'key': ..., 'value': ...}} objects, got {kind(tags)}",
            location=location,
        )
    return [copy.deepcopy(dict(tag)) for tag in tags]


def _last_per_key(tags: list[JsonDict]) -> list[JsonDict]:
    """Inline tags override wrapper tags with the same key; ECS rejects duplicate keys."""
    by_key: dict[object, JsonDict] = {}
    for index, tag in enumerate(tags):
        by_key[tag.get("key", index)] = tag
    return list(by_key.values())
