"""Where a verdict is sent besides the log: an SNS topic, an EventBridge bus."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ecs_deploy.aws.errors import aws_call
from ecs_deploy.errors import AwsError

SNS_SUBJECT_MAX = 100  # Publish: "Subject ... must be less than 100 characters"
VERDICT_SOURCE = "ecs-deploy"
VERDICT_DETAIL_TYPE = "ecs-deploy Deployment Verdict"


class SnsApi:
    def __init__(self, client: Any) -> None:
        self._client = client

    def publish(self, topic_arn: str, subject: str, message: Mapping[str, Any]) -> None:
        with aws_call("Publish"):
            self._client.publish(
                TopicArn=topic_arn,
                Subject=subject[: SNS_SUBJECT_MAX - 1],
                Message=json.dumps(message),
            )


class EventBusApi:
    def __init__(self, client: Any) -> None:
        self._client = client

    def put_verdict(self, bus: str, resources: list[str], detail: Mapping[str, Any]) -> None:
        with aws_call("PutEvents"):
            response = self._client.put_events(
                Entries=[
                    {
                        "Source": VERDICT_SOURCE,
                        "DetailType": VERDICT_DETAIL_TYPE,
                        "Detail": json.dumps(detail),
                        "Resources": resources,
                        "EventBusName": bus,
                    }
                ]
            )
        # PutEvents answers 200 with per-entry failures (FailedEntryCount).
        if response.get("FailedEntryCount"):
            entry = (response.get("Entries") or [{}])[0]
            raise AwsError(
                f"PutEvents failed: {entry.get('ErrorCode')}: {entry.get('ErrorMessage')}"
            )
