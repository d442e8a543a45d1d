"""Waiting survives expired credentials and transient errors, and never turns them into a verdict.

The watcher runs for real over a real EcsApi and botocore client; only the HTTP answers are
stubbed (botocore's Stubber), in the order ECS would give them.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import boto3
import botocore.config
import pytest
from botocore.stub import Stubber

from ecs_deploy.aws.ecs import EcsApi
from ecs_deploy.config.settings import FailFastPolicy
from ecs_deploy.deploy.clock import MAX_CONSECUTIVE_POLL_ERRORS
from ecs_deploy.deploy.rolling import StartedDeployment
from ecs_deploy.deploy.watch import Watcher
from ecs_deploy.errors import AwsError
from ecs_deploy.plan.deployment import ServicePlan, TaskDefinitionPlan
from ecs_deploy.report.console import Reporter
from ecs_deploy.results import Outcome

ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2"
DEPLOYMENT = "ecs-svc/1234567890123456789"


class FakeClock:
    def __init__(self) -> None:
        self.time = 0.0

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.time += seconds


def client() -> Any:
    return boto3.client(
        "ecs",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=botocore.config.Config(retries={"max_attempts": 1}),
    )


def completed() -> dict[str, Any]:
    deployment = {
        "id": DEPLOYMENT,
        "status": "PRIMARY",
        "taskDefinition": ARN,
        "rolloutState": "COMPLETED",
        "desiredCount": 1,
        "runningCount": 1,
    }
    return {
        "services": [{"serviceName": "web", "taskDefinition": ARN, "deployments": [deployment]}]
    }


def started() -> StartedDeployment:
    definition = TaskDefinitionPlan(
        "web", {"family": "web", "containerDefinitions": []}, None, True
    )
    plan = ServicePlan("web", "demo", ARN.replace(":2", ":1"), definition, False, None, 600.0)
    return StartedDeployment(plan, ARN, True, DEPLOYMENT, 0.0, datetime.now(UTC))


def watcher(ecs: EcsApi, out: io.StringIO) -> Watcher:
    reporter = Reporter(in_actions=False, out=out, err=out)
    return Watcher(
        ecs, None, FakeClock(), reporter, poll_interval=5, fail_fast_policy=FailFastPolicy()
    )


def test_expired_credentials_are_renewed_and_the_wait_goes_on() -> None:
    first, second = client(), client()
    with Stubber(first) as expired, Stubber(second) as renewed:
        expired.add_client_error("describe_services", "ExpiredTokenException", "token expired")
        renewed.add_response("describe_services", completed())
        out = io.StringIO()
        verdicts = watcher(EcsApi(first, lambda: second), out).watch("demo", [started()])
    assert verdicts["web"].verdict.outcome is Outcome.SUCCEEDED
    assert "credentials expired; renewed them" in out.getvalue()


def test_transient_errors_skip_a_poll_but_decide_nothing() -> None:
    ecs_client = client()
    with Stubber(ecs_client) as stub:
        stub.add_client_error("describe_services", "ServerException", "try again", 500)
        stub.add_client_error("describe_services", "ServiceUnavailable", "busy", 503)
        stub.add_response("describe_services", completed())
        out = io.StringIO()
        verdicts = watcher(EcsApi(ecs_client), out).watch("demo", [started()])
    assert verdicts["web"].verdict.outcome is Outcome.SUCCEEDED
    assert out.getvalue().count("trying again at the next poll") == 2


def test_losing_contact_is_an_error_not_a_verdict() -> None:
    ecs_client = client()
    with Stubber(ecs_client) as stub:
        for _ in range(MAX_CONSECUTIVE_POLL_ERRORS):
            stub.add_client_error("describe_services", "ServerException", "down", 500)
        with pytest.raises(AwsError, match="lost contact with ECS while waiting"):
            watcher(EcsApi(ecs_client), io.StringIO()).watch("demo", [started()])


def test_credentials_that_cannot_be_renewed_stop_the_wait() -> None:
    ecs_client = client()
    with Stubber(ecs_client) as stub:
        stub.add_client_error("describe_services", "ExpiredTokenException", "token expired")
        with pytest.raises(AwsError, match="ExpiredTokenException"):
            watcher(EcsApi(ecs_client), io.StringIO()).watch("demo", [started()])
