"""Task-definition rendering: source document -> register-ready task definition.

The steps live in their own modules (document, normalize, replace); this module names the
public entry points and chains them in `render`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ecs_deploy.plan.document import UnwrappedTaskDefinition, unwrap
from ecs_deploy.plan.jsontypes import JsonDict
from ecs_deploy.plan.normalize import NormalizedTaskDefinition, normalize_for_register
from ecs_deploy.plan.replace import ImageChange, ImageReplacement, replace_images
from ecs_deploy.plan.shape import Shape

__all__ = [
    "ImageChange",
    "ImageReplacement",
    "NormalizedTaskDefinition",
    "RenderedTaskDefinition",
    "UnwrappedTaskDefinition",
    "normalize_for_register",
    "render",
    "replace_images",
    "unwrap",
]


@dataclass(frozen=True, slots=True)
class RenderedTaskDefinition:
    """A task definition ready for RegisterTaskDefinition, and what rendering did to it."""

    task_definition: JsonDict
    tags: list[JsonDict]
    dropped: tuple[str, ...]
    coerced: tuple[str, ...]
    image_changes: tuple[ImageChange, ...]

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
) -> RenderedTaskDefinition:
    """unwrap -> normalize_for_register -> replace_images, in one call.

    `source` (a file name) is attached to input errors about the document.
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
    replaced = replace_images(definition, images=images, image_tag=image_tag, containers=containers)
    return RenderedTaskDefinition(
        task_definition=replaced.task_definition,
        tags=tags,
        dropped=normalized.dropped,
        coerced=normalized.coerced,
        image_changes=replaced.changes,
    )
