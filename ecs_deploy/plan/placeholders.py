"""Images left as templates: refused before any change, naming what would fill them.

Task-definition files kept for a render step often hold a placeholder where the image goes
(`<IMAGE>`, `${IMAGE}`, `{{image}}`, `IMAGE_PLACEHOLDER`, or nothing at all). When no input
replaces it, RegisterTaskDefinition accepts some of these and the tasks fail to pull later,
or refuses them after the plan; either way the run should stop first and say which input fills it.
"""

from __future__ import annotations

import re

# Template syntax of the tools people render with: <IMAGE>, ${IMAGE}, $IMAGE, {{ image }},
# #{Image} (Octopus), %IMAGE%, @IMAGE@, __IMAGE__.
_TEMPLATE = re.compile(
    r"<[^<>]*>|\$\{[^}]*\}|\$[A-Za-z_]\w*|\{\{.*?\}\}|#\{[^}]*\}|%\w+%|@\w+@|\b__\w+__\b"
)
# Words that stand for an image rather than name one (compared without case and separators).
_WORDS = frozenset(
    {
        "placeholder",
        "image",
        "imageplaceholder",
        "placeholderimage",
        "imageuri",
        "imagename",
        "imageurl",
        "containerimage",
        "dockerimage",
        "yourimage",
        "replaceme",
        "changeme",
        "todo",
        "tbd",
        "fixme",
        "xxx",
        "none",
        "null",
        "undefined",
    }
)
# A repository in capitals (IMAGE_URI, APP_IMAGE) is a variable's name: Docker's grammar allows
# only lowercase repositories, so it cannot be an image anyway.
_SHOUTING = re.compile(r"[A-Z][A-Z0-9_]*")


def image_problem(image: object) -> str | None:
    """Why `image` is not an image yet ("has no image", ...), or None when it looks like one."""
    if image is None:
        return "has no image"
    if not isinstance(image, str) or not image.strip():
        return "has an empty image"
    name = image.partition("@")[0]
    slash, colon = name.rfind("/"), name.rfind(":")
    repository = name[:colon] if colon > slash else name
    if not repository or _TEMPLATE.search(repository) or _is_placeholder_word(repository):
        return "has a placeholder for its image"
    if _TEMPLATE.search(image):
        return "has a placeholder in its image's tag"
    return None


def tag_only(problem: str) -> bool:
    """The repository is real and only the tag is missing: image-tag fills it."""
    return problem == "has a placeholder in its image's tag"


def _is_placeholder_word(repository: str) -> bool:
    if "/" in repository:
        return False
    return bool(_SHOUTING.fullmatch(repository)) or (
        re.sub(r"[-_.]", "", repository.lower()) in _WORDS
    )


def unfilled_image_message(container: str, problem: str, *, image_tag_given: bool) -> str:
    """The error for a container whose image no input fills: which input would."""
    named = f"container-name: {container}"
    if tag_only(problem):
        return (
            f"container '{container}' {problem} and no input fills it: give the tag with "
            f"image-tag (and {named}), or the whole image with image"
        )
    hint = " (image-tag changes only a tag, so it cannot fill this one)" if image_tag_given else ""
    return (
        f"container '{container}' {problem} and no input fills it: give it with image and "
        f"{named}, or in the application file with containers: [{{name: {container}, image: "
        f"...}}]{hint}"
    )
