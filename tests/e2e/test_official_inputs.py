"""The official deploy and render actions' inputs that ecs-deploy took on last, with the API
parameters each one produces (the emulator records every call's parameters)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.action import ActionRun, run_action
from tests.e2e.conftest import WEB_TASK_DEFINITION, images_of, service_of
from tests.e2e.test_bad_input import assert_rejected

FAST = {"poll-interval": "0.2s", "timeout": "60s"}
WEB = {"service": "web", "cluster": "demo", "force-new-deployment": "true", **FAST}
ROLE = "arn:aws:iam::123456789012:role/ecsInfrastructureRole"
VOLUME = {"roleArn": ROLE, "sizeInGiB": 20, "volumeType": "gp3", "throughput": 250}


def _update(app: Any) -> dict[str, Any]:
    (params,) = app.calls.params_of("UpdateService")
    return dict(params)


def _run_task(app: Any) -> dict[str, Any]:
    (params,) = app.calls.params_of("RunTask")
    return dict(params)


def test_managed_tags_and_propagation_are_sent_to_update_service(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    run = action({**WEB, "enable-ecs-managed-tags": "true", "propagate-tags": "service"})
    assert run.exit_code == 0, run.stdout + run.stderr
    params = _update(app)
    assert params["enableECSManagedTags"] is True
    assert params["propagateTags"] == "SERVICE"  # the declared spelling
    assert "volumeConfigurations" not in params
    assert service_of(app, "web")["enableECSManagedTags"] is True


def test_nothing_extra_is_sent_unless_asked(app: Any, action: Callable[..., ActionRun]) -> None:
    run = action(WEB)
    assert run.exit_code == 0, run.stdout + run.stderr
    params = _update(app)
    # An empty volumeConfigurations would remove EBS settings Terraform manages; propagateTags
    # and enableECSManagedTags would override the service's own.
    for key in ("volumeConfigurations", "propagateTags", "enableECSManagedTags"):
        assert key not in params


def test_enable_ecs_managed_tags_false_is_sent_as_false(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    run = action({**WEB, "enable-ecs-managed-tags": "false"})
    assert run.exit_code == 0, run.stdout + run.stderr
    assert _update(app)["enableECSManagedTags"] is False


def test_service_managed_ebs_volume_is_update_services_volume_configuration(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    run = action(
        {
            **WEB,
            "service-managed-ebs-volume-name": "data",
            "service-managed-ebs-volume": json.dumps(VOLUME),
        }
    )
    assert run.exit_code == 0, run.stdout + run.stderr
    assert _update(app)["volumeConfigurations"] == [{"name": "data", "managedEBSVolume": VOLUME}]


def test_run_task_gets_managed_tags_and_its_ebs_volume(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    run = action(
        {
            **WEB,
            "run-task": "true",
            "wait-for-task-stopped": "true",
            "enable-ecs-managed-tags": "true",
            "run-task-managed-ebs-volume-name": "scratch",
            "run-task-managed-ebs-volume": json.dumps({"roleArn": ROLE, "sizeInGiB": 5}),
        }
    )
    assert run.exit_code == 0, run.stdout + run.stderr
    params = _run_task(app)
    assert params["enableECSManagedTags"] is True
    assert params["volumeConfigurations"] == [
        {"name": "scratch", "managedEBSVolume": {"roleArn": ROLE, "sizeInGiB": 5}}
    ]
    # The service's volume inputs were not given: its update carries none.
    assert "volumeConfigurations" not in _update(app)


def test_keep_null_value_keys_keeps_those_empty_values(
    app: Any, action: Callable[..., ActionRun], workspace: Path
) -> None:
    definition = json.loads(json.dumps(WEB_TASK_DEFINITION))
    definition["containerDefinitions"][0].update({"command": [], "dockerLabels": {}})
    (workspace / "empty.json").write_text(json.dumps(definition))
    run = action(
        {
            **WEB,
            "task-definition": "empty.json",
            "keep-null-value-keys": "command",
            "container-name": "app",
            "image": "r/web:keep",  # a change, so a revision is registered
        }
    )
    assert run.exit_code == 0, run.stdout + run.stderr
    (registered,) = app.calls.params_of("RegisterTaskDefinition")
    app_container = registered["containerDefinitions"][0]
    assert app_container["command"] == []
    assert "dockerLabels" not in app_container  # not named: removed as empty


def test_without_keep_null_value_keys_empty_values_go(
    app: Any, action: Callable[..., ActionRun], workspace: Path
) -> None:
    definition = json.loads(json.dumps(WEB_TASK_DEFINITION))
    definition["containerDefinitions"][0]["command"] = []
    (workspace / "empty.json").write_text(json.dumps(definition))
    run = action(
        {**WEB, "task-definition": "empty.json", "container-name": "app", "image": "r/web:go"}
    )
    assert run.exit_code == 0, run.stdout + run.stderr
    (registered,) = app.calls.params_of("RegisterTaskDefinition")
    assert "command" not in registered["containerDefinitions"][0]


def test_task_definition_family_and_revision_are_read_from_ecs(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    ecs = app.client("ecs")
    first = service_of(app, "web")["taskDefinition"]
    family, revision = first.rsplit("/", 1)[1].split(":")
    run = action(
        {
            **WEB,
            "task-definition-family": family,
            "task-definition-revision": revision,
            "container-name": "app",
            "image": "r/web:from-family",
        }
    )
    assert run.exit_code == 0, run.stdout + run.stderr
    asked = [p["taskDefinition"] for p in app.calls.params_of("DescribeTaskDefinition")]
    assert f"{family}:{revision}" in asked
    arn = run.outputs["task-definition-arn"]
    described = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
    assert described["containerDefinitions"][0]["image"] == "r/web:from-family"


def test_task_definition_arn_is_read_from_ecs(app: Any, action: Callable[..., ActionRun]) -> None:
    current = service_of(app, "web")["taskDefinition"]
    run = action(
        {**WEB, "task-definition-arn": current, "container-name": "app", "image": "r/web:arn"}
    )
    assert run.exit_code == 0, run.stdout + run.stderr
    asked = [p["taskDefinition"] for p in app.calls.params_of("DescribeTaskDefinition")]
    # Read once, as the source; the new revision is compared with it (not the service's too).
    assert asked == [current]
    assert images_of(app, run.outputs["task-definition-arn"])["app"] == "r/web:arn"


def test_wait_max_delay_seconds_caps_the_poll_interval(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    started = time.monotonic()
    run = action({**WEB, "poll-interval": "10m", "wait-max-delay-seconds": "1"})
    assert run.exit_code == 0, run.stdout + run.stderr
    assert run.outputs["outcome"] == "succeeded"
    assert time.monotonic() - started < 60  # a 10-minute poll would have outlived the timeout


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        ({"propagate-tags": "BANANA"}, "propagate-tags: 'BANANA' must be SERVICE"),
        ({"enable-ecs-managed-tags": "maybe"}, "enable-ecs-managed-tags: 'maybe' is not a boolean"),
        ({"max-retries": "-1"}, "max-retries: '-1' must be zero or more"),
        ({"max-retries": "many"}, "max-retries: 'many' is not a whole number"),
        ({"wait-max-delay-seconds": "0"}, "wait-max-delay-seconds: '0' must be 1 or more"),
        ({"service-managed-ebs-volume": "{nope"}, "service-managed-ebs-volume: not valid JSON"),
        ({"service-managed-ebs-volume": "[]"}, "service-managed-ebs-volume: must be a JSON object"),
        (
            {"service-managed-ebs-volume": json.dumps(VOLUME)},
            "service-managed-ebs-volume needs service-managed-ebs-volume-name",
        ),
        (
            {"service-managed-ebs-volume-name": "data"},
            "service-managed-ebs-volume-name needs service-managed-ebs-volume",
        ),
        (
            {
                "service-managed-ebs-volume-name": "data",
                "service-managed-ebs-volume": json.dumps({"sizeInGiB": 20}),
            },
            "service-managed-ebs-volume: roleArn is required",
        ),
        (
            {
                "service-managed-ebs-volume-name": "data",
                "service-managed-ebs-volume": json.dumps({**VOLUME, "sizeInGib": 20}),
            },
            "would be rejected by UpdateService",
        ),
        (
            {"run-task-managed-ebs-volume-name": "scratch"},
            "run-task-managed-ebs-volume-name needs run-task-managed-ebs-volume",
        ),
        (
            {
                "run-task": "true",
                "run-task-managed-ebs-volume-name": "scratch",
                "run-task-managed-ebs-volume": json.dumps({"roleArn": ROLE, "size": 5}),
            },
            "would be rejected by RunTask",
        ),
        ({"keep-null-value-keys": ","}, None),  # an empty list is no list: accepted
        ({"task-definition-revision": "2"}, "task-definition-revision needs task-definition-fam"),
        ({"task-definition-revision": "0"}, "task-definition-revision: '0' must be 1 or more"),
        ({"task-definition-arn": "web:1"}, "task-definition-arn: 'web:1' is not a task definit"),
        ({"task-definition-family": "web:1"}, "task-definition-family: 'web:1' is not a family"),
        (
            {"task-definition": "taskdefs/web.json", "task-definition-family": "web"},
            "give one of task-definition, task-definition-family",
        ),
    ],
)
def test_bad_values_are_refused_before_any_change(
    app: Any, action: Callable[..., ActionRun], inputs: dict[str, str], expected: str | None
) -> None:
    run = action({**WEB, "dry-run": "true", **inputs})
    if expected is None:
        assert run.exit_code == 0, run.stdout + run.stderr
        return
    assert_rejected(run, app, expected)


class _AlwaysFailing(BaseHTTPRequestHandler):
    """An endpoint that answers every request with a retryable 500, counting them."""

    requests = 0

    def do_POST(self) -> None:
        type(self).requests += 1
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"__type": "ServerException", "message": "try again"}).encode()
        self.send_response(500)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def failing_endpoint() -> Iterator[tuple[str, type[_AlwaysFailing]]]:
    handler = type("Handler", (_AlwaysFailing,), {"requests": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()


@pytest.mark.parametrize(("max_retries", "attempts"), [("0", 1), ("2", 3)])
def test_max_retries_is_the_number_of_retries_of_a_call(
    workspace: Path,
    failing_endpoint: tuple[str, type[_AlwaysFailing]],
    max_retries: str,
    attempts: int,
) -> None:
    endpoint, handler = failing_endpoint
    run = run_action(endpoint, workspace, {**WEB, "max-retries": max_retries}, timeout=60)
    assert run.exit_code != 0
    assert "Traceback" not in run.stdout + run.stderr
    # The first call (DescribeClusters) is tried once plus max-retries times, then given up.
    assert handler.requests == attempts
