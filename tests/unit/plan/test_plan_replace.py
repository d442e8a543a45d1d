"""replace_images: full images per container, tag-only changes, unknown containers."""

from __future__ import annotations

import copy

import pytest

from ecs_deploy.errors import InputError
from ecs_deploy.plan.replace import ImageChange, replace_images

DIGEST = "sha256:" + "ab" * 32
ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
DEFINITION = {
    "family": "shop",
    "containerDefinitions": [
        {"name": "web", "image": f"{ECR}/shop/web:v1"},
        {"name": "worker", "image": f"localhost:5000/shop/worker:v1@{DIGEST}"},
        {"name": "proxy", "image": "nginx"},
    ],
}


def images_of(task_definition: dict[str, object]) -> list[str]:
    return [c["image"] for c in task_definition["containerDefinitions"]]  # type: ignore[attr-defined]


def test_images_replace_named_containers_only() -> None:
    result = replace_images(DEFINITION, images={"web": f"{ECR}/shop/web:v2"})
    assert images_of(result.task_definition) == [
        f"{ECR}/shop/web:v2",
        f"localhost:5000/shop/worker:v1@{DIGEST}",
        "nginx",
    ]
    assert result.changes == (ImageChange("web", f"{ECR}/shop/web:v1", f"{ECR}/shop/web:v2"),)


def test_image_tag_keeps_registry_port_and_repository_and_drops_the_digest() -> None:
    result = replace_images(DEFINITION, image_tag="v2", containers=["web", "worker"])
    assert images_of(result.task_definition) == [
        f"{ECR}/shop/web:v2",
        "localhost:5000/shop/worker:v2",
        "nginx",
    ]
    assert [change.container for change in result.changes] == ["web", "worker"]


def test_image_tag_without_containers_applies_to_all() -> None:
    result = replace_images(DEFINITION, image_tag="v2")
    assert images_of(result.task_definition)[2] == "nginx:v2"
    assert len(result.changes) == 3


def test_an_explicit_image_wins_over_the_tag() -> None:
    result = replace_images(DEFINITION, images={"proxy": "nginx:1.27"}, image_tag="v2")
    assert images_of(result.task_definition) == [
        f"{ECR}/shop/web:v2",
        "localhost:5000/shop/worker:v2",
        "nginx:1.27",
    ]


def test_a_digest_image_can_be_set() -> None:
    result = replace_images(DEFINITION, images={"web": f"{ECR}/shop/web@{DIGEST}"})
    assert images_of(result.task_definition)[0] == f"{ECR}/shop/web@{DIGEST}"


def test_unchanged_images_produce_no_change() -> None:
    result = replace_images(DEFINITION, images={"web": f"{ECR}/shop/web:v1"}, image_tag=None)
    assert result.changes == ()
    assert result.task_definition == DEFINITION


def test_no_replacement_requested_is_a_copy() -> None:
    result = replace_images(DEFINITION)
    assert result.task_definition == DEFINITION
    assert result.task_definition is not DEFINITION
    assert result.changes == ()


def test_inputs_are_not_mutated() -> None:
    before = copy.deepcopy(DEFINITION)
    replace_images(DEFINITION, image_tag="v9")
    assert before == DEFINITION


@pytest.mark.parametrize(
    "kwargs",
    [
        {"images": {"wbe": "app:1"}},
        {"image_tag": "v2", "containers": ["web", "wbe"]},
    ],
)
def test_an_unknown_container_lists_the_existing_names(kwargs: dict[str, object]) -> None:
    with pytest.raises(InputError) as caught:
        replace_images(DEFINITION, **kwargs)  # type: ignore[arg-type]
    assert caught.value.message == (
        "no container named 'wbe' in task definition 'shop'; its containers are: web, worker, proxy"
    )


def test_an_invalid_new_image_is_rejected() -> None:
    with pytest.raises(InputError, match=r"invalid image reference 'Web:1'"):
        replace_images(DEFINITION, images={"web": "Web:1"})


def test_an_invalid_tag_is_rejected() -> None:
    with pytest.raises(InputError, match=r"invalid image tag 'v 2'"):
        replace_images(DEFINITION, image_tag="v 2")


def test_a_tag_change_on_an_unparseable_image_names_the_container() -> None:
    definition = {"family": "x", "containerDefinitions": [{"name": "app", "image": "<IMAGE>"}]}
    with pytest.raises(InputError, match=r"^cannot change the tag of container 'app': its image"):
        replace_images(definition, image_tag="v2")
    # a full image still replaces a placeholder
    result = replace_images(definition, images={"app": "app:2"})
    assert result.changes == (ImageChange("app", "<IMAGE>", "app:2"),)
