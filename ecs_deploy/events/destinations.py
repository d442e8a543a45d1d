"""Where a verdict goes: the log always; an SNS topic and an EventBridge bus when configured.

A destination that refuses (denied, missing) is one warning in the log and stays out of
`delivered_to`: the verdict itself is still the answer and the log has it.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from ecs_deploy.aws.notify import EventBusApi, SnsApi
from ecs_deploy.config.event_settings import EventSettings
from ecs_deploy.errors import DeployError
from ecs_deploy.events.response import EventResponse
from ecs_deploy.report.console import Reporter


def deliver(
    response: EventResponse,
    settings: EventSettings,
    reporter: Reporter,
    sns: Callable[[], SnsApi],
    bus: Callable[[], EventBusApi],
) -> tuple[str, ...]:
    """Send the verdict (with its forensics) to every configured destination."""
    if response.verdict is None:
        return ()
    document = response.as_dict()
    # One JSON line in CloudWatch Logs: searchable with Logs Insights.
    reporter.info("verdict " + json.dumps(document["verdict"], sort_keys=True))
    delivered = ["logs"]
    verdict = response.verdict
    if settings.sns_topic_arn:
        subject = f"ecs-deploy: {verdict.service} {verdict.outcome}"
        try:
            sns().publish(settings.sns_topic_arn, subject, document)
            delivered.append(f"sns:{settings.sns_topic_arn}")
        except DeployError as exc:
            reporter.warning(f"verdict not sent to SNS: {exc}")
    if settings.event_bus:
        try:
            bus().put_verdict(settings.event_bus, [], document)
            delivered.append(f"events:{settings.event_bus}")
        except DeployError as exc:
            reporter.warning(f"verdict not sent to EventBridge: {exc}")
    return tuple(delivered)
