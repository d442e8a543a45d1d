"""What image-tag-parameter records for a service: the tag, or the digest, its containers run.

The digest when the image is pinned by one (`repo@sha256:...` or `repo:tag@sha256:...`): that
is what ECS runs, and a tag can be moved to another image later. Otherwise the tag (`latest`
when the image names none, as Docker reads it). terraform-aws-modules/ecs's documented pattern
looks the value up with the `aws_ecr_image` data source, which takes either an `image_tag` or
an `image_digest` (docs/terraform.md shows both).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ecs_deploy.errors import InputError
from ecs_deploy.plan.image import ImageRef

DOCKER_DEFAULT_TAG = "latest"


@dataclass(frozen=True, slots=True)
class TagParameter:
    """An SSM parameter to write once the service runs the deployed revision."""

    name: str
    value: str


def tag_value(definition: Mapping[str, Any], containers: Sequence[str], *, service: str) -> str:
    """The one tag (or digest) the named containers run; with none named, the only container's."""
    images = {
        str(c.get("name")): str(c.get("image") or "")
        for c in definition.get("containerDefinitions") or []
    }
    names = list(containers)
    if not names:
        if len(images) != 1:
            raise InputError(
                f"image-tag-parameter of service '{service}': the task definition has "
                f"containers {', '.join(images)}; name the one whose tag it records "
                "(container-name, or containers in the application file)"
            )
        names = list(images)
    values = {name: _reference(ImageRef.parse(images[name])) for name in names if name in images}
    distinct = sorted(set(values.values()))
    if len(distinct) != 1:
        listed = ", ".join(f"{name}={value}" for name, value in values.items())
        raise InputError(
            f"image-tag-parameter of service '{service}' holds one tag, but its containers "
            f"run {listed or 'no image'}"
        )
    return distinct[0]


def _reference(image: ImageRef) -> str:
    return image.digest or image.tag or DOCKER_DEFAULT_TAG
