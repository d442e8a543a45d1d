"""ImageRef: Docker's reference grammar, tag/digest replacement and round-trips."""

from __future__ import annotations

import pytest

from ecs_deploy.errors import InputError
from ecs_deploy.plan.image import ImageRef

DIGEST = "sha256:" + "0123456789abcdef" * 4
OTHER_DIGEST = "sha256:" + "fedcba9876543210" * 4
ECR = "123456789012.dkr.ecr.eu-central-1.amazonaws.com"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nginx", ImageRef("nginx")),
        ("nginx:1.27-alpine", ImageRef("nginx", tag="1.27-alpine")),
        ("library/nginx:latest", ImageRef("library/nginx", tag="latest")),
        (f"{ECR}/team/app:v1.2.3", ImageRef("team/app", registry=ECR, tag="v1.2.3")),
        (f"{ECR}/app@{DIGEST}", ImageRef("app", registry=ECR, digest=DIGEST)),
        ("localhost:5000/a/b:tag", ImageRef("a/b", registry="localhost", port=5000, tag="tag")),
        ("localhost/app", ImageRef("app", registry="localhost")),
        (f"registry:5000/ns/app@{DIGEST}", ImageRef("ns/app", "registry", 5000, digest=DIGEST)),
        (f"ghcr.io/org/app:2.0@{DIGEST}", ImageRef("org/app", "ghcr.io", tag="2.0", digest=DIGEST)),
        ("[::1]:5000/app:dev", ImageRef("app", registry="[::1]", port=5000, tag="dev")),
        ("public.ecr.aws/a__b/c-d.e_f:x", ImageRef("a__b/c-d.e_f", "public.ecr.aws", tag="x")),
        # Without '.', ':' or 'localhost' the first component is a namespace, not a registry.
        ("myorg/app:1", ImageRef("myorg/app", tag="1")),
    ],
)
def test_parse(text: str, expected: ImageRef) -> None:
    assert ImageRef.parse(text) == expected
    assert str(ImageRef.parse(text)) == text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("UPPER CASE:tag", "whitespace"),
        ("", "non-empty"),
        ("MyApp:1", "repository component 'MyApp'"),
        ("ns//app", "repository component ''"),
        ("app-:1", "repository component 'app-'"),
        ("ghcr.io/", "repository is empty"),
        ("app:-bad", "tag '-bad'"),
        ("app:" + "t" * 129, "tag"),
        ("app:", "tag ''"),
        ("app@sha256:abc", "digest 'sha256:abc'"),
        ("app@sha256:" + "A" * 64, "lowercase"),
        ("host:99999/app", "port '99999'"),
        ("host:port/app", "port 'port'"),
        ("-bad-.io/app", "host '-bad-.io'"),
        ("a" * 256, "longer than 255"),
    ],
)
def test_parse_rejects(text: str, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        ImageRef.parse(text)
    assert caught.value.message.startswith(f"invalid image reference {text!r}: ")
    assert reason in caught.value.message


def test_with_tag_keeps_registry_port_and_repository() -> None:
    ref = ImageRef.parse("localhost:5000/a/b:old")
    assert str(ref.with_tag("new")) == "localhost:5000/a/b:new"


def test_with_tag_on_untagged_image_adds_the_tag() -> None:
    assert str(ImageRef.parse("registry.example.com:443/app").with_tag("v2")) == (
        "registry.example.com:443/app:v2"
    )


def test_with_tag_drops_the_digest_that_pinned_the_old_tag() -> None:
    ref = ImageRef.parse(f"{ECR}/app:v1@{DIGEST}")
    assert str(ref.with_tag("v2")) == f"{ECR}/app:v2"


def test_with_tag_rejects_an_invalid_tag() -> None:
    with pytest.raises(InputError, match=r"invalid image tag 'no/slash'"):
        ImageRef.parse("app:1").with_tag("no/slash")


def test_with_digest_keeps_the_tag() -> None:
    ref = ImageRef.parse(f"registry:5000/ns/app:v1@{DIGEST}")
    assert str(ref.with_digest(OTHER_DIGEST)) == f"registry:5000/ns/app:v1@{OTHER_DIGEST}"


def test_with_digest_rejects_an_invalid_digest() -> None:
    with pytest.raises(InputError, match=r"invalid image digest 'sha256:xyz'"):
        ImageRef.parse("app").with_digest("sha256:xyz")


def test_name_and_domain() -> None:
    ref = ImageRef.parse(f"localhost:5000/a/b:t@{DIGEST}")
    assert ref.domain == "localhost:5000"
    assert ref.name == "localhost:5000/a/b"
    assert ImageRef.parse("nginx").domain is None
