"""Reading events: AWS's published examples (tests/fixtures/events/SOURCES.md) and what is
refused before any AWS call."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ecs_deploy.config.event_settings import ServiceTarget, event_settings
from ecs_deploy.errors import EventError, InputError
from ecs_deploy.events.kinds import (
    DeploymentStateChange,
    ImagePush,
    UpdaterPayload,
    read_event,
)
from ecs_deploy.events.targets import push_requests
from ecs_deploy.events.updater import ImageMatch

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "events"


def fixture(name: str) -> dict[str, Any]:
    return dict(json.loads((FIXTURES / name).read_text()))


def test_the_ecr_guides_push_example() -> None:
    push = read_event(fixture("ecr-image-push.json"))
    assert push == ImagePush(
        account="123456789012",
        region="us-west-2",
        repository="my-repository-name",
        tag="latest",
        digest="sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234",
        result="SUCCESS",
        action="PUSH",
    )
    assert push.registry == "123456789012.dkr.ecr.us-west-2.amazonaws.com"


@pytest.mark.parametrize(
    ("name", "event_name", "rolling_back"),
    [
        ("in-progress", "SERVICE_DEPLOYMENT_IN_PROGRESS", False),
        ("rollback-in-progress", "SERVICE_DEPLOYMENT_IN_PROGRESS", True),
        ("completed", "SERVICE_DEPLOYMENT_COMPLETED", False),
        ("failed", "SERVICE_DEPLOYMENT_FAILED", False),
    ],
)
def test_the_ecs_guides_state_change_examples(
    name: str, event_name: str, rolling_back: bool
) -> None:
    change = read_event(fixture(f"ecs-deployment-{name}.json"))
    assert isinstance(change, DeploymentStateChange)
    assert (change.cluster, change.service) == ("default", "servicetest")
    assert change.deployment_id == "ecs-svc/123"
    assert change.event_name == event_name
    assert change.rolling_back is rolling_back
    assert change.updated_at == datetime(2020, 5, 23, 11, 11, 11, tzinfo=UTC)


def test_a_payload_with_tags() -> None:
    payload = read_event(
        {
            "ecs_cluster_name": "prod",
            "ecs_service_name": "web",
            "ecs_image_name": "team/web",
            "ecs_tag": "v2",
            "tags": {"b": "2", "a": "1"},
        }
    )
    assert payload == UpdaterPayload("prod", "web", "team/web", "v2", (("a", "1"), ("b", "2")))


@pytest.mark.parametrize(
    ("event", "words"),
    [
        ([], "must be a JSON object"),
        ({"source": "aws.s3", "detail-type": "Object Created"}, "unsupported event"),
        (
            {**fixture("ecs-deployment-failed.json"), "resources": ["arn:aws:ecs:x:1:service/s"]},
            "resources[0] must be the service ARN",
        ),
        ({**fixture("ecr-image-push.json"), "detail": {"result": "SUCCESS"}}, "repository-name"),
    ],
)
def test_what_is_not_an_event_it_takes(event: Any, words: str) -> None:
    with pytest.raises(EventError) as raised:
        read_event(event)
    assert raised.value.error_type == "invalid_event"
    assert raised.value.exit_code == 2
    assert words in raised.value.message


def test_a_tag_value_is_never_echoed() -> None:
    with pytest.raises(EventError) as raised:
        read_event(
            {
                "ecs_cluster_name": "prod",
                "ecs_service_name": "web",
                "ecs_image_name": "web",
                "ecs_tag": "v2",
                "tags": {"secret": "x" * 300},
            }
        )
    assert (
        raised.value.message == "invalid payload: field tags.secret must be at most 256 characters"
    )


@pytest.mark.parametrize(
    ("name", "image", "matches"),
    [
        ("team/web", "registry.example.com:5000/team/web:1.0", True),
        ("team/web", "team/web@sha256:" + "a" * 64, True),
        ("registry.example.com:5000/team/web", "registry.example.com:5000/team/web:1", True),
        ("registry.example.com:5000/team/web", "other.example.com/team/web:1", False),
        ("team/web", "team/web-worker:1", False),
        ("web", "team/web:1", False),
    ],
)
def test_which_containers_run_an_image_name(name: str, image: str, matches: bool) -> None:
    assert ImageMatch.named(name).matches(image) is matches


def test_the_services_a_push_may_deploy() -> None:
    settings = event_settings({"ECS_DEPLOY_SERVICES": '{"my-repository-name": ["prod/api"]}'})
    assert settings.services_by_repository == {
        "my-repository-name": (ServiceTarget("prod", "api"),)
    }
    push = read_event(fixture("ecr-image-push.json"))
    assert isinstance(push, ImagePush)
    [request] = push_requests(push, settings)
    assert (request.cluster, request.service, request.tag) == ("prod", "api", "latest")
    assert request.image == ImageMatch(
        "my-repository-name", "123456789012.dkr.ecr.us-west-2.amazonaws.com"
    )


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{", "is not JSON"),
        ('{"repo": ["api"]}', "'api' is not cluster/service"),
        ('{"repo": []}', "must list cluster/service names"),
    ],
)
def test_a_wrong_mapping_is_refused(text: str, words: str) -> None:
    with pytest.raises(InputError) as raised:
        event_settings({"ECS_DEPLOY_SERVICES": text})
    assert words in raised.value.message
