"""Waiting survives expired credentials, throttling, 5xx and resets, and never turns them into
a verdict: only the deadline or a permanent error ends the wait.

The loop runs for real over a real EcsApi and botocore client; only the HTTP answers are
stubbed (botocore's Stubber), in the order ECS would give them. Error codes are those AWS
sends (botocore's retry rules, botocore/data/_retry.json: ThrottlingException, 500
ServerException, 503 ServiceUnavailable).
"""

from __future__ import annotations

import io
from typing import Any

import boto3
import botocore.config
import pytest
from botocore.stub import Stubber

from ecs_deploy.aws.ecs import EcsApi
from ecs_deploy.config.settings import FailFastPolicy
from ecs_deploy.deploy.strategies.rolling import watch_rolling
from ecs_deploy.deploy.watch import SourceReader, WatchLoop
from ecs_deploy.errors import AwsError
from ecs_deploy.report.console import Reporter
from ecs_deploy.results import Outcome
from tests.unit.deploy.support import OUR_ID, OURS, FakeClock, started

POLL = 5.0


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
        "id": OUR_ID,
        "status": "PRIMARY",
        "taskDefinition": OURS,
        "rolloutState": "COMPLETED",
        "desiredCount": 1,
        "runningCount": 1,
    }
    return {
        "services": [{"serviceName": "web", "taskDefinition": OURS, "deployments": [deployment]}]
    }


def watch(ecs: EcsApi, out: io.StringIO, clock: FakeClock | None = None) -> Any:
    reporter = Reporter(in_actions=False, out=out, err=out)
    loop = WatchLoop(SourceReader(ecs, None), clock or FakeClock(), reporter, poll_interval=POLL)
    watched = watch_rolling(started(), None, FailFastPolicy(), ecs, None)
    return loop.run([watched])


def test_expired_credentials_are_renewed_and_the_wait_goes_on() -> None:
    first, second = client(), client()
    with Stubber(first) as expired, Stubber(second) as renewed:
        expired.add_client_error("describe_services", "ExpiredTokenException", "token expired")
        renewed.add_response("describe_services", completed())
        out = io.StringIO()
        verdicts = watch(EcsApi(first, lambda: second), out)
    assert verdicts["web"].verdict.outcome is Outcome.SUCCEEDED
    assert "credentials expired; renewed them" in out.getvalue()


@pytest.mark.parametrize(
    ("code", "status"),
    [("ThrottlingException", 400), ("ServerException", 500), ("ServiceUnavailable", 503)],
)
def test_an_outage_longer_than_botocore_s_retries_is_ridden_out(code: str, status: int) -> None:
    """Twenty polls (100 s at the default 5 s) of errors, then ECS answers: succeeded, told
    once when the outage began and once when it ended."""
    ecs_client = client()
    with Stubber(ecs_client) as stub:
        for _ in range(20):
            stub.add_client_error("describe_services", code, "Rate exceeded", status)
        stub.add_response("describe_services", completed())
        out = io.StringIO()
        verdicts = watch(EcsApi(ecs_client), out)
    assert verdicts["web"].verdict.outcome is Outcome.SUCCEEDED
    text = out.getvalue()
    assert text.count("still waiting (transient errors are retried until the deadline") == 1
    assert "AWS answered again after 1m40s of transient errors" in text


def test_an_outage_until_the_deadline_is_timed_out_not_failed() -> None:
    ecs_client = client()
    with Stubber(ecs_client) as stub:
        for _ in range(121):  # 600 s deadline / 5 s polls, and the poll at the deadline
            stub.add_client_error("describe_services", "ServiceUnavailable", "down", 503)
        verdicts = watch(EcsApi(ecs_client), io.StringIO())
    assert verdicts["web"].verdict.outcome is Outcome.TIMED_OUT


def test_a_permanent_error_ends_the_wait() -> None:
    ecs_client = client()
    with Stubber(ecs_client) as stub:
        stub.add_client_error("describe_services", "AccessDeniedException", "not authorized")
        with pytest.raises(AwsError, match="AccessDeniedException"):
            watch(EcsApi(ecs_client), io.StringIO())


def test_credentials_that_cannot_be_renewed_stop_the_wait() -> None:
    ecs_client = client()
    with Stubber(ecs_client) as stub:
        stub.add_client_error("describe_services", "ExpiredTokenException", "token expired")
        with pytest.raises(AwsError, match="ExpiredTokenException"):
            watch(EcsApi(ecs_client), io.StringIO())
