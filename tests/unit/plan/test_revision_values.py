"""What image-tag-parameter records, and the tags a registered revision gets."""

from __future__ import annotations

import pytest

from ecs_deploy.errors import InputError
from ecs_deploy.plan.image_tag_value import tag_value
from ecs_deploy.plan.revision_tags import (
    COMMIT_KEY,
    MAX_TAGS,
    RUN_KEY,
    fits,
    merge_tags,
    provenance_tags,
)

DIGEST = "sha256:" + "0f" * 32


def definition(*images: str) -> dict[str, object]:
    return {
        "containerDefinitions": [
            {"name": f"c{index}", "image": image} for index, image in enumerate(images)
        ]
    }


@pytest.mark.parametrize(
    ("image", "value"),
    [
        ("registry.example.com:5000/team/web:1.2", "1.2"),
        (f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/web@{DIGEST}", DIGEST),
        (f"web:1.2@{DIGEST}", DIGEST),  # the digest is what runs; a tag can move
        ("nginx", "latest"),
    ],
)
def test_the_value_is_the_digest_when_pinned_else_the_tag(image: str, value: str) -> None:
    assert tag_value(definition(image), [], service="web") == value


def test_named_containers_must_agree_and_several_need_naming() -> None:
    two = definition("a/app:1", "a/sidecar:2")
    assert tag_value(two, ["c0"], service="web") == "1"
    with pytest.raises(InputError, match="name the one"):
        tag_value(two, [], service="web")
    with pytest.raises(InputError, match="c0=1, c1=2"):
        tag_value(two, ["c0", "c1"], service="web")
    assert tag_value(definition("a/app:3", "b/other:3"), ["c0", "c1"], service="web") == "3"


def test_provenance_tags_keep_to_ecs_rules() -> None:
    sha = "0123456789abcdef0123456789abcdef01234567"
    url = "https://github.com/org/app/actions/runs/1"
    assert provenance_tags(sha, (url, None)) == {COMMIT_KEY: sha, RUN_KEY: url}
    console = "https://x.console.aws.amazon.com/codebuild/home?region=x#/builds/a:1/view/new"
    arn = "arn:aws:codebuild:eu-west-1:123456789012:build/app:1"
    assert provenance_tags(None, (console, arn)) == {RUN_KEY: arn}
    assert not fits("x" * 257)
    assert not fits("AWS:reserved")
    assert fits("")


def test_ours_replace_a_copied_tag_and_never_push_out_the_files() -> None:
    asked = [{"key": COMMIT_KEY, "value": "old"}, {"key": "team", "value": "web"}]
    merged = merge_tags(asked, {COMMIT_KEY: "new"})
    assert merged.tags == ({"key": "team", "value": "web"}, {"key": COMMIT_KEY, "value": "new"})
    full = [{"key": f"k{n}", "value": "v"} for n in range(MAX_TAGS - 1)]
    merged = merge_tags(full, {COMMIT_KEY: "c", RUN_KEY: "r"})
    assert len(merged.tags) == MAX_TAGS
    assert merged.tags[-1] == {"key": COMMIT_KEY, "value": "c"}
    assert len(merged.left_out) == 1 and RUN_KEY in merged.left_out[0]
