"""CodePipeline's image files as the image source: `imagedefinitions.json` and `imageDetail.json`.

Both are defined in the CodePipeline User Guide, "Image definitions file reference"
(https://docs.aws.amazon.com/codepipeline/latest/userguide/file-reference.html):
- `imagedefinitions.json` (the standard ECS deploy action): a JSON list of
  `{"name": <container name>, "imageUri": <image>}`, one or more, at most 100 KB.
- `imageDetail.json` (the ECS blue/green action, and what an ECR source action writes): one
  object whose `ImageURI` is the image; it names no container. An ECR source action adds
  `ImageDigest`, `ImageTags`, `RepositoryName`, ... next to it, so other keys are ignored.

Entries keep their file:line so that a container the task definition lacks is reported where
it was written (CodePipeline's deploy action fails the same case with "The AWS ECS container
<name> does not exist").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ecs_deploy.config.documents import LocatedDocument, load_document
from ecs_deploy.errors import InputError, SourceLocation
from ecs_deploy.plan.image import ImageRef

MAX_BYTES = 100 * 1024  # CodePipeline's own limit for the file


@dataclass(frozen=True, slots=True)
class ImageEntry:
    name: str | None  # None: imageDetail.json, which names no container
    image: str
    location: SourceLocation


@dataclass(frozen=True, slots=True)
class ImageDefinitions:
    path: Path
    entries: tuple[ImageEntry, ...]

    @property
    def names_containers(self) -> bool:
        """imagedefinitions.json names each container; imageDetail.json names none."""
        return all(entry.name is not None for entry in self.entries)


def load_image_definitions(path: Path) -> ImageDefinitions:
    what = "image-definitions file"
    if path.is_file() and path.stat().st_size > MAX_BYTES:
        raise InputError(
            f"{what} is larger than 100 KB, CodePipeline's limit for it",
            location=SourceLocation(str(path)),
        )
    document = load_document(path, what=what)
    data = document.data
    if isinstance(data, list):
        return ImageDefinitions(path, _definitions(document, data))
    if isinstance(data, Mapping):
        return ImageDefinitions(path, (_detail(document, data),))
    raise InputError(
        f"{what}: expected imagedefinitions.json's list of {{name, imageUri}} or "
        "imageDetail.json's {ImageURI}",
        location=document.location(()),
    )


def _definitions(document: LocatedDocument, items: list[object]) -> tuple[ImageEntry, ...]:
    if not items:
        raise InputError(
            "image-definitions: the list is empty; give one {name, imageUri} per container",
            location=document.location(()),
        )
    entries: list[ImageEntry] = []
    seen: dict[str, SourceLocation] = {}
    for index, item in enumerate(items):
        where = document.location((index,))
        if not isinstance(item, Mapping):
            raise InputError(
                f"image-definitions[{index}]: must be an object with name and imageUri",
                location=where,
            )
        name = _text(document, item, index, "name")
        image = _text(document, item, index, "imageUri")
        if name in seen:
            first = seen[name]
            raise InputError(
                f"image-definitions[{index}]: container '{name}' is listed twice "
                f"(first on line {first.line})",
                location=where,
            )
        seen[name] = where
        entries.append(ImageEntry(name, _image(image, document, (index, "imageUri")), where))
    return tuple(entries)


def _text(document: LocatedDocument, item: Mapping[object, object], index: int, key: str) -> str:
    value = item.get(key)
    if isinstance(value, str) and value.strip():
        return value.strip()
    other = next((k for k in item if isinstance(k, str) and k.lower() == key.lower()), None)
    hint = f" (the key is spelled '{key}', not '{other}')" if other and other != key else ""
    raise InputError(
        f"image-definitions[{index}]: '{key}' must be a non-empty string{hint}",
        location=document.location((index, key) if key in item else (index,)),
    )


def _detail(document: LocatedDocument, data: Mapping[object, object]) -> ImageEntry:
    image = data.get("ImageURI")
    if not isinstance(image, str) or not image.strip():
        raise InputError(
            "image-definitions: imageDetail.json needs 'ImageURI', a non-empty string",
            location=document.location(("ImageURI",) if "ImageURI" in data else ()),
        )
    return ImageEntry(None, _image(image.strip(), document, ("ImageURI",)), document.location(()))


def _image(text: str, document: LocatedDocument, where: tuple[str | int, ...]) -> str:
    try:
        return str(ImageRef.parse(text))
    except InputError as exc:
        raise InputError(
            f"image-definitions: {exc.message}", location=document.location(where)
        ) from None
