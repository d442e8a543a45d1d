"""Task-definition rendering: source document -> register-ready task definition.

The steps live in their own modules (document, normalize, replace); this module names the
public entry points and chains them in `render`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ecs_deploy.errors import InputError, SourceLocation
from ecs_deploy.plan.document import DESCRIBE_ONLY_FIELDS, UnwrappedTaskDefinition, unwrap
from ecs_deploy.plan.jsontypes import JsonDict
from ecs_deploy.plan.normalize import NormalizedTaskDefinition, normalize_for_register
from ecs_deploy.plan.placeholders import image_problem, tag_only, unfilled_image_message
from ecs_deploy.plan.replace import ImageChange, ImageReplacement, replace_images
from ecs_deploy.plan.shape import Shape

__all__ = [
    "DroppedKey",
    "ImageChange",
    "ImageReplacement",
    "Locate",
    "NormalizedTaskDefinition",
    "RenderedTaskDefinition",
    "UnwrappedTaskDefinition",
    "normalize_for_register",
    "render",
    "replace_images",
    "unwrap",
]


class Locate(Protocol):
    """Where a path of the source document is in its file (config's LocatedDocument.location)."""

    def __call__(self, where: tuple[str | int, ...], *, of_key: bool = False) -> SourceLocation: ...


@dataclass(frozen=True, slots=True)
class DroppedKey:
    """A key RegisterTaskDefinition does not know (a typo, or a field of another tool)."""

    path: str  # containerDefinitions[0].colour
    location: SourceLocation | None = None

    def __str__(self) -> str:
        return f"{self.path} ({self.location})" if self.location else self.path


@dataclass(frozen=True, slots=True)
class RenderedTaskDefinition:
    """A task definition ready for RegisterTaskDefinition, and what rendering did to it."""

    task_definition: JsonDict
    tags: list[JsonDict]
    dropped: tuple[str, ...]
    coerced: tuple[str, ...]
    image_changes: tuple[ImageChange, ...]
    # What `dropped` holds besides describe-only fields, each with its place in the file.
    unknown_keys: tuple[DroppedKey, ...] = ()

    def register_kwargs(self) -> JsonDict:
        """Keyword arguments for `ecs.register_task_definition(**...)`, tags included."""
        if not self.tags:
            return dict(self.task_definition)
        return {**self.task_definition, "tags": list(self.tags)}


def render(
    document: object,
    shape: Shape,
    *,
    images: Mapping[str, str] | None = None,
    image_tag: str | None = None,
    containers: Sequence[str] | None = None,
    keep_empty: bool = False,
    keep_empty_keys: frozenset[str] = frozenset(),
    source: str | None = None,
    locate: Locate | None = None,
) -> RenderedTaskDefinition:
    """unwrap -> normalize_for_register -> replace_images, in one call.

    `source` (a file name) is attached to input errors about the document; `locate` (the
    file's positions) puts dropped keys and unfilled images at their line. A container whose
    image is missing, empty or a placeholder after the replacements is an InputError.
    """
    unwrapped = unwrap(document, source=source)
    # Tags are normalised with the definition (the model types them) and then split off again.
    normalized = normalize_for_register(
        {**unwrapped.task_definition, "tags": unwrapped.tags},
        shape,
        keep_empty=keep_empty,
        keep_empty_keys=keep_empty_keys,
        source=source,
    )
    definition = dict(normalized.task_definition)
    tags: list[JsonDict] = definition.pop("tags", [])

    def place(*where: str | int, of_key: bool = False) -> SourceLocation | None:
        if locate is not None:
            return locate((*unwrapped.at, *where), of_key=of_key)
        return SourceLocation(source) if source else None

    if image_tag is not None:
        retagged = None if containers is None else set(containers)
        definition = _prepare_retagging(definition, images or {}, retagged, place)
    replaced = replace_images(definition, images=images, image_tag=image_tag, containers=containers)
    _refuse_unfilled(replaced.task_definition, place, image_tag=image_tag is not None)
    unknown = tuple(
        DroppedKey(path, place(*at, of_key=True) if locate else None)
        for path, at in zip(normalized.dropped, normalized.dropped_at, strict=True)
        if path not in DESCRIBE_ONLY_FIELDS
    )
    return RenderedTaskDefinition(
        task_definition=replaced.task_definition,
        tags=tags,
        dropped=normalized.dropped,
        coerced=normalized.coerced,
        image_changes=replaced.changes,
        unknown_keys=unknown,
    )


class _Place(Protocol):
    def __call__(self, *where: str | int, of_key: bool = False) -> SourceLocation | None: ...


def _containers(definition: Mapping[str, object]) -> list[tuple[int, str, object]]:
    found = definition.get("containerDefinitions")
    return [
        (index, str(container.get("name")), container.get("image"))
        for index, container in enumerate(found if isinstance(found, list) else [])
        if isinstance(container, Mapping)
    ]


def _prepare_retagging(
    definition: JsonDict,
    images: Mapping[str, str],
    retagged: set[str] | None,  # None: every container
    place: _Place,
) -> JsonDict:
    """image-tag changes only a tag: a container it retags needs a real repository; a
    placeholder tag (`repo/app:${TAG}`) is dropped so the new one takes its place."""
    result = {**definition, "containerDefinitions": list(definition["containerDefinitions"])}
    for index, name, image in _containers(definition):
        if name in images or (retagged is not None and name not in retagged):
            continue
        problem = image_problem(image)
        if problem is None:
            continue
        if not tag_only(problem):
            raise InputError(
                unfilled_image_message(name, problem, image_tag_given=True),
                location=place("containerDefinitions", index, "image"),
            )
        untagged = str(image).rsplit(":", 1)[0]
        result["containerDefinitions"][index] = {
            **definition["containerDefinitions"][index],
            "image": untagged,
        }
    return result


def _refuse_unfilled(definition: Mapping[str, object], place: _Place, *, image_tag: bool) -> None:
    """After every replacement, each container has a real image."""
    for index, name, image in _containers(definition):
        problem = image_problem(image)
        if problem is not None:
            raise InputError(
                unfilled_image_message(name, problem, image_tag_given=image_tag),
                location=place("containerDefinitions", index, "image"),
            )
