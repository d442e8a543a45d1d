"""What an event is, read into typed values before anything talks to AWS.

Three kinds are accepted (docs/lambda.md):
- the updater payload `{ecs_cluster_name, ecs_service_name, ecs_image_name, ecs_tag, tags?}`,
  checked against its JSON Schema (schema/updater-payload.schema.json);
- EventBridge "ECR Image Action" events (source aws.ecr), shaped as the ECR user guide's
  "Amazon ECR events and EventBridge" shows them;
- EventBridge "ECS Deployment State Change" events (source aws.ecs), shaped as the ECS
  developer guide's "Amazon ECS service deployment state change events" shows them.
Anything else is an invalid event (exit 2), named by what it lacks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema

from ecs_deploy.errors import EventError, InputError
from ecs_deploy.plan.image import ImageRef
from ecs_deploy.plan.revision_tags import TAG_RULE, fits, fits_key

INVALID_EVENT = "invalid_event"
INVALID_PAYLOAD = "invalid_payload"

ECR_IMAGE_ACTION = "ECR Image Action"
ECS_DEPLOYMENT_STATE_CHANGE = "ECS Deployment State Change"
IN_PROGRESS = "SERVICE_DEPLOYMENT_IN_PROGRESS"
COMPLETED = "SERVICE_DEPLOYMENT_COMPLETED"
FAILED = "SERVICE_DEPLOYMENT_FAILED"
STATE_EVENTS = (IN_PROGRESS, COMPLETED, FAILED)
KIND_STATE = "deployment_state_change"


@dataclass(frozen=True, slots=True)
class UpdaterPayload:
    cluster: str
    service: str
    image_name: str
    tag: str
    tags: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ImagePush:
    """A completed push of `repository:tag` to the private registry of account/region."""

    account: str
    region: str
    repository: str
    tag: str | None  # None: pushed by digest only
    digest: str | None
    result: str  # SUCCESS or FAILURE
    action: str  # PUSH, DELETE, ...

    @property
    def registry(self) -> str:
        return f"{self.account}.dkr.ecr.{self.region}.amazonaws.com"


@dataclass(frozen=True, slots=True)
class DeploymentStateChange:
    cluster: str  # the cluster's name, from the service ARN
    service: str
    deployment_id: str
    event_name: str
    reason: str
    updated_at: datetime | None
    region: str

    @property
    def rolling_back(self) -> bool:
        """ECS's rollback starting: an IN_PROGRESS event whose reason says so (the developer
        guide: "The difference between the two is in the reason field")."""
        return self.event_name == IN_PROGRESS and "rolling back" in self.reason.lower()


Event = UpdaterPayload | ImagePush | DeploymentStateChange


def kind_of(data: object) -> str:
    """What the response calls the event, told from its shape alone (even an invalid one)."""
    if not isinstance(data, Mapping):
        return "event"
    if data.get("detail-type") is None and "source" not in data:
        return "updater"
    return {ECR_IMAGE_ACTION: "ecr_image_push", ECS_DEPLOYMENT_STATE_CHANGE: KIND_STATE}.get(
        str(data.get("detail-type")), "event"
    )


def read_event(data: object) -> Event:
    """The event `data` (a decoded JSON document) holds; EventError (exit 2) if none."""
    if not isinstance(data, Mapping):
        raise EventError(INVALID_EVENT, "the event must be a JSON object")
    detail_type = data.get("detail-type")
    if detail_type is None and "source" not in data:
        return read_payload(data)
    if detail_type == ECR_IMAGE_ACTION and data.get("source") == "aws.ecr":
        return _image_push(data)
    if detail_type == ECS_DEPLOYMENT_STATE_CHANGE and data.get("source") == "aws.ecs":
        return _state_change(data)
    raise EventError(
        INVALID_EVENT,
        f"unsupported event: source {data.get('source')!r}, detail-type {detail_type!r} "
        f"(accepted: the updater payload, aws.ecr '{ECR_IMAGE_ACTION}', "
        f"aws.ecs '{ECS_DEPLOYMENT_STATE_CHANGE}')",
    )


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    text = (
        resources.files("ecs_deploy.events")
        .joinpath("schema/updater-payload.schema.json")
        .read_text(encoding="utf-8")
    )
    schema = json.loads(text)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def read_payload(data: Mapping[str, Any]) -> UpdaterPayload:
    errors = sorted(_validator().iter_errors(dict(data)), key=_error_order)
    if errors:
        raise EventError(INVALID_PAYLOAD, _describe(errors[0]))
    tags = data.get("tags") or {}
    _check_image_name(data["ecs_image_name"])
    _check_tags(tags)
    return UpdaterPayload(
        cluster=data["ecs_cluster_name"],
        service=data["ecs_service_name"],
        image_name=data["ecs_image_name"],
        tag=data["ecs_tag"],
        tags=tuple(sorted(tags.items())),
    )


def _check_image_name(name: str) -> None:
    try:
        ImageRef.parse(name)
    except InputError as exc:
        raise EventError(
            INVALID_PAYLOAD, f"invalid payload: field ecs_image_name is not an image name: {exc}"
        ) from None


def _check_tags(tags: Mapping[str, str]) -> None:
    """ECS's own tag rules (the ones revisions are tagged by), before any change: TagResource
    comes after the deployment, too late to refuse the event."""
    for key, value in tags.items():
        if not fits_key(key):
            raise EventError(
                INVALID_PAYLOAD, f"invalid payload: tag key {key!r} breaks ECS's rules ({TAG_RULE})"
            )
        if not fits(value):  # named by its key: a value may be anything
            raise EventError(
                INVALID_PAYLOAD,
                f"invalid payload: the value of tags.{key} breaks ECS's rules ({TAG_RULE})",
            )


def _error_order(error: jsonschema.ValidationError) -> tuple[int, str]:
    # A missing field first: it is what the sender most likely got wrong.
    return (0 if error.validator == "required" else 1, error.json_path)


def _describe(error: jsonschema.ValidationError) -> str:
    """One line naming the field; never the value (a tag value may be anything)."""
    field = ".".join(str(part) for part in error.absolute_path)
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return f"invalid payload: missing field {missing}"
    if error.validator == "additionalProperties" and not field:
        known = sorted(_validator().schema["properties"])
        extra = sorted(set(error.instance) - set(known))
        return f"invalid payload: unknown field {extra[0]} (known: {', '.join(known)})"
    where = field or "payload"
    reasons = {
        "type": f"must be a {error.validator_value}",
        "minLength": "must not be empty",
        "maxLength": f"must be at most {error.validator_value} characters",
        "pattern": "is not a valid value (see the schema's description)",
        "maxProperties": f"must have at most {error.validator_value} entries",
        "propertyNames": "has a key that is empty, too long or starts with aws:",
    }
    validator = str(error.validator)
    if "propertyNames" in error.absolute_schema_path:  # reported as its inner keyword
        validator = "propertyNames"
    reason = reasons.get(validator, "is not valid")
    return f"invalid payload: field {where} {reason}"


def _image_push(data: Mapping[str, Any]) -> ImagePush:
    detail = _detail(data)
    repository = _text(detail, "repository-name", ECR_IMAGE_ACTION)
    return ImagePush(
        account=_text(data, "account", ECR_IMAGE_ACTION),
        region=_text(data, "region", ECR_IMAGE_ACTION),
        repository=repository,
        tag=detail.get("image-tag") or None,
        digest=detail.get("image-digest") or None,
        result=str(detail.get("result", "")),
        action=str(detail.get("action-type", "")),
    )


def _state_change(data: Mapping[str, Any]) -> DeploymentStateChange:
    detail = _detail(data)
    name = _text(detail, "eventName", ECS_DEPLOYMENT_STATE_CHANGE)
    resources_ = data.get("resources")
    arn = resources_[0] if isinstance(resources_, list) and resources_ else None
    # arn:aws:ecs:region:account:service/cluster/service (the long ARN format; the old
    # short format has no cluster and cannot be judged without guessing one).
    parts = str(arn or "").split(":", 5)
    path = parts[5].split("/") if len(parts) == 6 else []
    if len(path) != 3 or path[0] != "service":
        raise EventError(
            INVALID_EVENT,
            f"{ECS_DEPLOYMENT_STATE_CHANGE}: resources[0] must be the service ARN "
            "(arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/SERVICE)",
        )
    updated = detail.get("updatedAt")
    return DeploymentStateChange(
        cluster=path[1],
        service=path[2],
        deployment_id=_text(detail, "deploymentId", ECS_DEPLOYMENT_STATE_CHANGE),
        event_name=name,
        reason=str(detail.get("reason") or ""),
        updated_at=_timestamp(updated),
        region=parts[3],
    )


def _detail(data: Mapping[str, Any]) -> Mapping[str, Any]:
    detail = data.get("detail")
    if not isinstance(detail, Mapping):
        raise EventError(INVALID_EVENT, f"{data.get('detail-type')}: detail must be an object")
    return detail


def _text(data: Mapping[str, Any], key: str, what: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise EventError(INVALID_EVENT, f"{what}: missing field {key}")
    return value


def _timestamp(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
