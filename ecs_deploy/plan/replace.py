"""Point containers at new images: full references per container, or a new tag."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ecs_deploy.errors import InputError
from ecs_deploy.plan.image import ImageRef
from ecs_deploy.plan.jsontypes import JsonDict


@dataclass(frozen=True, slots=True)
class ImageChange:
    container: str
    before: str | None
    after: str


@dataclass(frozen=True, slots=True)
class ImageReplacement:
    task_definition: JsonDict
    changes: tuple[ImageChange, ...]


def replace_images(
    task_definition: Mapping[str, object],
    *,
    images: Mapping[str, str] | None = None,
    image_tag: str | None = None,
    containers: Sequence[str] | None = None,
) -> ImageReplacement:
    """Return a copy of `task_definition` with new images; the input is left untouched.

    `images` maps container name -> full image reference. `image_tag` replaces only the tag
    (keeping registry, port and repository, dropping any digest) of `containers`, or of every
    container when `containers` is None; containers named in `images` take that image instead.
    """
    result: JsonDict = copy.deepcopy(dict(task_definition))
    definitions = result.get("containerDefinitions")
    if not isinstance(definitions, list) or not all(isinstance(c, dict) for c in definitions):
        raise InputError("the task definition has no 'containerDefinitions' list of objects")
    names = [str(container.get("name")) for container in definitions]
    images = images or {}
    _check_names([*images, *(containers or ())], names, result.get("family"))
    retagged = set(names if containers is None else containers)

    changes: list[ImageChange] = []
    for container, name in zip(definitions, names, strict=True):
        before = container.get("image")
        if name in images:
            after = str(ImageRef.parse(images[name]))
        elif image_tag is not None and name in retagged:
            after = str(_current_image(name, before).with_tag(image_tag))
        else:
            continue
        if after != before:
            container["image"] = after
            changes.append(ImageChange(name, before if isinstance(before, str) else None, after))
    return ImageReplacement(result, tuple(changes))


def _check_names(wanted: Sequence[str], existing: Sequence[str], family: object) -> None:
    unknown = sorted(set(wanted) - set(existing))
    if unknown:
        listed = ", ".join(repr(name) for name in unknown)
        raise InputError(
            f"no container named {listed} in task definition {family!r}; "
            f"its containers are: {', '.join(existing)}"
        )


def _current_image(container: str, image: object) -> ImageRef:
    if not isinstance(image, str):
        raise InputError(f"cannot change the tag of container {container!r}: it has no image")
    try:
        return ImageRef.parse(image)
    except InputError:
        # Not the reference itself: it comes from the file (or from ECS), not from an input.
        raise InputError(
            f"cannot change the tag of container {container!r}: its image is not a valid image "
            "reference; give the whole image with image and container-name"
        ) from None
