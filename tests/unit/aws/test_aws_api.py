"""The aws layer over a real botocore client whose HTTP answers are stubbed (botocore's Stubber)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
import pytest
from botocore.stub import Stubber

from ecs_deploy.aws.ecs import EcsApi
from ecs_deploy.aws.errors import translate
from ecs_deploy.aws.logs import LogsApi
from ecs_deploy.errors import (
    AccessDenied,
    InputError,
    OperationUnsupported,
    TransientAwsError,
)


def client(service: str = "ecs", region: str = "us-east-1") -> Any:
    return boto3.client(
        service,
        region_name=region,
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=botocore.config.Config(retries={"max_attempts": 1}),
    )


SECRET_OVERRIDE = {
    "cluster": "demo",
    "taskDefinition": "migrate",
    "overrides": {
        "containerOverrides": [
            {"name": "app", "environment": [{"name": "DB_PASSWORD", "value": 918273}]}
        ]
    },
}


def test_parameter_check_names_the_parameter_and_types_never_the_value() -> None:
    with pytest.raises(InputError) as caught:
        EcsApi(client()).check_parameters("RunTask", SECRET_OVERRIDE, what="task 'migrate'")
    message = str(caught.value)
    assert "918273" not in message
    assert "overrides.containerOverrides[0].environment[0].value" in message
    assert "got int, expected str" in message
    assert "\n" not in message


def test_a_failed_call_s_validation_report_never_echoes_values() -> None:
    with pytest.raises(botocore.exceptions.ParamValidationError) as raised:
        client().run_task(**SECRET_OVERRIDE)
    error = translate("RunTask", raised.value)
    assert isinstance(error, InputError)
    assert "918273" not in str(error)
    assert "environment[0].value: got int, expected str" in str(error)


def test_a_value_that_looks_like_the_report_itself_does_not_leak() -> None:
    params = {
        "cluster": "demo",
        "taskDefinition": "migrate",
        "startedBy": {"token": "s3cr3t, type: <class 'str'>, valid types: x"},
    }
    with pytest.raises(InputError) as caught:
        EcsApi(client()).check_parameters("RunTask", params, what="task")
    assert "s3cr3t" not in str(caught.value)
    assert "startedBy" in str(caught.value)


@pytest.mark.parametrize("code", ["AccessDeniedException", "AccessDenied", "UnauthorizedOperation"])
def test_access_denied_is_its_own_error(code: str) -> None:
    exc = botocore.exceptions.ClientError(
        {"Error": {"Code": code, "Message": "not authorized to perform: ecs:TagResource"}},
        "RegisterTaskDefinition",
    )
    error = translate("RegisterTaskDefinition", exc)
    assert isinstance(error, AccessDenied)
    assert "ecs:TagResource" in str(error)


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [
        # An endpoint without the operation answers a 4xx (UnknownOperationException; ECS:
        # ClientException "This operation isn't supported in this Region."; see
        # tests/replay/recorded/errors/).
        ("UnknownOperationException", 400, OperationUnsupported),
        ("ClientException", 400, OperationUnsupported),
        # A 5xx is a server error to retry, never a sign the API is missing.
        ("InternalFailure", 500, TransientAwsError),
        ("ServiceUnavailable", 503, TransientAwsError),
        ("AccessDeniedException", 400, AccessDenied),
    ],
)
def test_service_deployments_errors_say_what_they_mean(
    code: str, status: int, error: type[Exception]
) -> None:
    ecs_client = client()
    message = "This operation isn't supported in this Region." if code == "ClientException" else "x"
    with Stubber(ecs_client) as stub:
        stub.add_client_error("list_service_deployments", code, message, status)
        with pytest.raises(error):
            EcsApi(ecs_client).service_deployments_since("demo", "web", datetime.now(UTC))


def test_stopped_tasks_never_combine_started_by_with_another_filter() -> None:
    """botocore's ListTasks doc: "When you specify startedBy as the filter, it must be the only
    filter that you use"; AWS answers "cannot specify startedBy with other arguments"."""
    ecs_client = client()
    ours = {"taskArn": "arn:aws:ecs:us-east-1:1:task/demo/a", "startedBy": "ecs-svc/1"}
    theirs = {"taskArn": "arn:aws:ecs:us-east-1:1:task/demo/b", "startedBy": "ecs-svc/0"}
    with Stubber(ecs_client) as stub:
        stub.add_response(
            "list_tasks",
            {"taskArns": [ours["taskArn"], theirs["taskArn"]]},
            {"cluster": "demo", "serviceName": "web", "desiredStatus": "STOPPED"},
        )
        stub.add_response("describe_tasks", {"tasks": [ours, theirs]})
        found = EcsApi(ecs_client).stopped_tasks("demo", "web", "ecs-svc/1")
    assert [task.arn for task in found] == [ours["taskArn"]]


def test_logs_are_read_in_the_awslogs_region() -> None:
    home, elsewhere = client("logs"), client("logs", "eu-west-1")
    made: list[str] = []

    def client_in(region: str) -> Any:
        made.append(region)
        return elsewhere

    events = {"events": [{"message": "boom\n", "timestamp": 1, "ingestionTime": 1}]}
    with Stubber(home) as home_stub, Stubber(elsewhere) as elsewhere_stub:
        elsewhere_stub.add_response("get_log_events", events)
        elsewhere_stub.add_response("get_log_events", events)
        home_stub.add_response("get_log_events", {"events": []})
        logs = LogsApi(home, client_in)
        assert logs.tail("/ecs/web", "web/app/1", region="eu-west-1") == ["boom"]
        assert logs.tail("/ecs/web", "web/app/2", region="eu-west-1") == ["boom"]
        assert logs.tail("/ecs/web", "web/app/3", region="us-east-1") == []
        home_stub.assert_no_pending_responses()
        elsewhere_stub.assert_no_pending_responses()
    assert made == ["eu-west-1"]  # one client per region, made once
