"""Images left as placeholders are refused by render, naming the container and the input."""

from __future__ import annotations

import pytest

from ecs_deploy.aws.model import register_task_definition_shape
from ecs_deploy.errors import InputError, SourceLocation
from ecs_deploy.plan.placeholders import image_problem
from ecs_deploy.plan.taskdef import render

SHAPE = register_task_definition_shape()
PLACEHOLDERS = [
    "<IMAGE>",
    "<image>",
    "${IMAGE}",
    "$IMAGE",
    "{{image}}",
    "{{ .Values.image }}",
    "#{Image}",
    "%IMAGE%",
    "__IMAGE__",
    "PLACEHOLDER",
    "IMAGE_PLACEHOLDER",
    "image-placeholder",
    "IMAGE_URI",
    "image",
    "REPLACE_ME",
    "changeme",
    "",
    "   ",
]
IMAGES = [
    "nginx",
    "nginx:1.25",
    "busybox",
    "my_app",
    "registry.example.com:5000/team/web:1.0",
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:latest",
    "ghcr.io/org/image:1",
    "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0",
    "app@sha256:" + "a" * 64,
]


def definition(image: object = None) -> dict[str, object]:
    container: dict[str, object] = {"name": "app", "memory": 512}
    if image is not None:
        container["image"] = image
    other = {"name": "sidecar", "image": "busybox", "memory": 64}
    return {"family": "web", "containerDefinitions": [other, container]}


@pytest.mark.parametrize("image", PLACEHOLDERS)
def test_placeholders_are_recognised(image: str) -> None:
    assert image_problem(image) is not None


@pytest.mark.parametrize("image", IMAGES)
def test_images_are_not_placeholders(image: str) -> None:
    assert image_problem(image) is None


@pytest.mark.parametrize("image", [None, *PLACEHOLDERS])
def test_an_unfilled_image_is_refused_naming_container_and_inputs(image: str | None) -> None:
    with pytest.raises(InputError) as caught:
        render(definition(image), SHAPE, source="web.json")
    message = caught.value.message
    assert message.startswith("container 'app' has ")
    assert "image and container-name: app" in message and "containers: [{name: app" in message
    assert caught.value.location == SourceLocation("web.json")


@pytest.mark.parametrize("image", ["<IMAGE>", "PLACEHOLDER", "image"])
def test_image_tag_cannot_fill_a_placeholder_repository(image: str) -> None:
    with pytest.raises(InputError, match="image-tag changes only a tag"):
        render(definition(image), SHAPE, image_tag="v2", containers=["app"])


def test_image_tag_fills_a_placeholder_tag() -> None:
    rendered = render(definition("repo/app:${TAG}"), SHAPE, image_tag="v2", containers=["app"])
    assert rendered.task_definition["containerDefinitions"][1]["image"] == "repo/app:v2"
    with pytest.raises(InputError, match="give the tag with image-tag"):
        render(definition("repo/app:${TAG}"), SHAPE)


def test_an_input_image_fills_the_placeholder() -> None:
    rendered = render(definition("<IMAGE>"), SHAPE, images={"app": "repo/app:2"})
    assert rendered.task_definition["containerDefinitions"][1]["image"] == "repo/app:2"


def test_the_error_is_placed_at_the_image_line() -> None:
    def locate(where: tuple[str | int, ...], *, of_key: bool = False) -> SourceLocation:
        lines = {("taskDefinition", "containerDefinitions", 1, "image"): 12}
        return SourceLocation("web.json", lines.get(where, 1), 5)

    wrapped = {"taskDefinition": definition("<IMAGE>")}
    with pytest.raises(InputError) as caught:
        render(wrapped, SHAPE, source="web.json", locate=locate)
    assert caught.value.location == SourceLocation("web.json", 12, 5)


def test_unknown_keys_are_listed_with_their_place_describe_only_fields_are_not() -> None:
    def locate(where: tuple[str | int, ...], *, of_key: bool = False) -> SourceLocation:
        return SourceLocation("web.json", len(where), 1 if of_key else 9)

    document = {**definition("nginx"), "revision": 3, "colour": "blue"}
    document["containerDefinitions"][0]["colour"] = "red"  # type: ignore[index]
    rendered = render(document, SHAPE, source="web.json", locate=locate)
    assert [str(key) for key in rendered.unknown_keys] == [
        "containerDefinitions[0].colour (web.json:3:1)",
        "colour (web.json:1:1)",
    ]
