"""The event entry point on the emulator: the updater payload (every error type), an ECR push
deploying two services, a Lambda whose time runs out handing off to the state-change handler,
and the state-change handler's verdict with the action's forensics.

Events are AWS's published examples (tests/fixtures/events/SOURCES.md); only what names the
emulator's resources is replaced: the service ARN and the deployment id, real ids the
emulator made. The emulator does not emit EventBridge events; when ECS would send one is read
from its state history (the deployment's rolloutState changes).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ecs_deploy.emulator import Fault
from ecs_deploy.events.lambda_handler import handle
from tests.e2e.action import REPO
from tests.e2e.conftest import images_of, service_of

FIXTURES = REPO / "tests" / "fixtures" / "events"
ECR_IMAGE = "123456789012.dkr.ecr.us-west-2.amazonaws.com/my-repository-name"
WEB_REPOSITORY = "registry.example.com:5000/team/web"
FAST = {"ECS_DEPLOY_POLL_INTERVAL": "0.2s", "ECS_DEPLOY_TIMEOUT": "60s", "ECS_DEPLOY_MARGIN": "1s"}


@dataclass(frozen=True)
class FakeContext:
    """Lambda's context object as the runtime gives it; the remaining time is the test's."""

    remaining_ms: int

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


NO_TIME_LEFT = FakeContext(1000)  # exactly the margin: nothing left to wait with


def fixture(name: str) -> dict[str, Any]:
    return dict(json.loads((FIXTURES / name).read_text()))


@pytest.fixture
def events_app(app: Any, workspace: Path) -> Any:
    """The workspace's application plus two services running an ECR repository."""
    (workspace / "ecr-app.yml").write_text(
        "version: v1\n"
        "cluster: demo\n"
        "services:\n"
        "  - name: api\n"
        f"    containers: [{{name: api, image: '{ECR_IMAGE}:v1'}}, "
        "{name: envoy, image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29'}]\n"
        "  - name: jobs\n"
        f"    containers: [{{name: jobs, image: '{ECR_IMAGE}:v1'}}]\n"
    )
    app.seed(workspace / "ecr-app.yml")
    app.calls.clear()
    return app


@pytest.fixture
def lambda_env(events_app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The function's environment: AWS at the emulator (boto3 reads os.environ)."""
    env = {
        "AWS_ENDPOINT_URL": events_app.endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        **FAST,
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    yield env


def payload(**changes: Any) -> dict[str, Any]:
    body = {
        "ecs_cluster_name": "demo",
        "ecs_service_name": "web",
        "ecs_image_name": WEB_REPOSITORY,
        "ecs_tag": "v2",
        "tags": {"version": "v2"},
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


def run_cli(env: dict[str, str], event: Any, *args: str) -> tuple[int, dict[str, Any], str]:
    """`entrypoint.py event` as a user runs it: the event on stdin, the response on stdout.
    A str `event` is sent as it is (not JSON-encoded)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ECS_DEPLOY_"))}
    done = subprocess.run(
        [sys.executable, str(REPO / "entrypoint.py"), "event", *args],
        input=event if isinstance(event, str) else json.dumps(event),
        capture_output=True,
        text=True,
        env={**base, **env},
        timeout=120,
        check=False,
    )
    return done.returncode, json.loads(done.stdout), done.stderr


def mutating_calls(app: Any) -> list[str]:
    return [c.operation for c in app.calls.operations() if c.mutating]


# -- the updater payload -----------------------------------------------------------------------
def test_payload_deploys_the_tag_to_the_containers_of_that_repository(
    events_app: Any, lambda_env: dict[str, str]
) -> None:
    before = service_of(events_app, "web")["taskDefinition"]
    code, response, _ = run_cli(lambda_env, payload())
    assert code == 0, response
    assert response["status"] == "succeeded" and response["error"] is None
    [deployed] = response["deployments"]
    assert deployed["outcome"] == "succeeded"
    assert deployed["previous_task_definition_arn"] == before
    arn = service_of(events_app, "web")["taskDefinition"]
    assert arn == deployed["task_definition_arn"] != before
    # Only the container running the repository changed, registry and port kept.
    assert images_of(events_app, arn) == {
        "app": f"{WEB_REPOSITORY}:v2",
        "log-router": "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0",
    }
    service_arn = service_of(events_app, "web")["serviceArn"]
    tags = events_app.client("ecs").list_tags_for_resource(resourceArn=service_arn)["tags"]
    assert {"key": "version", "value": "v2"} in tags


@pytest.mark.parametrize(
    ("change", "error_type", "words"),
    [
        ({"ecs_tag": None}, "invalid_payload", "missing field ecs_tag"),
        ({"ecs_service_name": 7}, "invalid_payload", "field ecs_service_name must be a string"),
        ({"ecs_tag": "v2 beta"}, "invalid_payload", "field ecs_tag is not a valid value"),
        ({"tags": {"aws:owner": "x"}}, "invalid_payload", "field tags has a key"),
        ({"colour": "blue"}, "invalid_payload", "unknown field colour"),
        ({"ecs_cluster_name": "nope"}, "cluster_not_found", "cluster 'nope' not found"),
        ({"ecs_service_name": "nope"}, "service_not_found", "service 'nope' not found"),
        ({"ecs_image_name": "team/other"}, "image_name_rejected", "app=" + WEB_REPOSITORY),
        # The schema lets these through; the image grammar and ECS's tag rules do not, and
        # TagResource comes after the deployment: too late to refuse the event then.
        ({"ecs_image_name": "team/x..y"}, "invalid_payload", "field ecs_image_name is not an"),
        ({"tags": {"version": "v2#beta"}}, "invalid_payload", "the value of tags.version"),
        ({"tags": {"team*": "web"}}, "invalid_payload", "tag key 'team*'"),
        ({"tags": {"owner": "AWS:me"}}, "invalid_payload", "the value of tags.owner"),
    ],
)
def test_an_invalid_payload_changes_nothing_and_names_its_error(
    events_app: Any,
    lambda_env: dict[str, str],
    change: dict[str, Any],
    error_type: str,
    words: str,
) -> None:
    code, response, stderr = run_cli(lambda_env, payload(**change))
    assert code == 2, response
    assert response["kind"] == "updater"
    assert response["status"] == "invalid"
    assert response["error"]["type"] == error_type
    assert words in response["error"]["message"]
    assert "Traceback" not in stderr
    assert mutating_calls(events_app) == []


def test_an_update_the_policy_denies_is_update_denied(
    events_app: Any, lambda_env: dict[str, str]
) -> None:
    events_app.faults.deny("ecs", "UpdateService")
    code, response, _ = run_cli(lambda_env, payload())
    assert code == 1
    assert response["status"] == "failed"
    assert response["error"]["type"] == "update_denied"
    assert "UpdateService" in response["error"]["message"]
    assert "TagResource" not in mutating_calls(events_app)  # no tags for what did not deploy


def test_tagging_the_policy_denies_is_tagging_denied(
    events_app: Any, lambda_env: dict[str, str]
) -> None:
    events_app.faults.deny("ecs", "TagResource")
    code, response, _ = run_cli(lambda_env, payload())
    assert code == 1
    assert response["error"]["type"] == "tagging_denied"
    assert "the service was updated" in response["error"]["message"]
    [deployed] = response["deployments"]
    assert deployed["outcome"] == "succeeded"  # the update itself landed, and it says so


def test_a_file_that_is_not_json_is_an_invalid_event(lambda_env: dict[str, str]) -> None:
    code, response, _ = run_cli(lambda_env, "{not json")
    assert code == 2
    assert response["error"]["type"] == "invalid_event"
    assert "standard input:1:2: not JSON" in response["message"]


def test_an_unexpected_error_is_answered_not_raised(lambda_env: dict[str, str]) -> None:
    # A raised error would make Lambda run the event again, after whatever it changed.
    code, response, stderr = run_cli({**lambda_env, "AWS_ENDPOINT_URL": "not a url"}, payload())
    assert code == 1, response
    assert response["status"] == "failed"
    assert response["error"]["type"] == "internal_error"
    assert "ValueError" in response["error"]["message"]
    assert "Traceback" not in stderr


# -- a repeated event (EventBridge delivers at least once; a retried invocation) -------------
def test_a_repeated_payload_follows_the_deployment_it_started(
    events_app: Any, lambda_env: dict[str, str]
) -> None:
    # An hour of ECS time before its tasks are placed: still in progress at the second event.
    events_app.faults.set_for_image(f"{WEB_REPOSITORY}:v2", Fault.placement_delay(3600))
    _, first, _ = run_cli(lambda_env, payload(), "--remaining-time", "1")
    assert first["status"] == "handed_off", first
    deployment = first["deployments"][0]["deployment_id"]
    events_app.calls.clear()
    code, again, stderr = run_cli(lambda_env, payload(), "--remaining-time", "1")
    assert code == 0, again
    assert again["status"] == "handed_off", again
    assert again["handed_off"] == [deployment]
    # No second revision, no forced deployment superseding the first: tags only.
    assert mutating_calls(events_app) == ["TagResource"]
    [primary] = [
        d for d in service_of(events_app, "web")["deployments"] if d["status"] == "PRIMARY"
    ]
    assert primary["id"] == deployment
    assert f"following deployment {deployment}" in stderr
    # The budget, not the service, ended the wait: no "timed out" verdict, no forensics.
    assert "timed_out" not in stderr and "why it timed out" not in stderr


def test_a_repeated_payload_with_time_left_gives_the_first_deployments_verdict(
    events_app: Any, lambda_env: dict[str, str]
) -> None:
    # Ten ECS minutes before its tasks are placed: in progress when the second event comes,
    # done well within its wait (ECS_DEPLOY_TIMEOUT).
    events_app.faults.set_for_image(f"{WEB_REPOSITORY}:v2", Fault.placement_delay(600))
    _, first, _ = run_cli(lambda_env, payload(), "--remaining-time", "1")
    deployment = first["deployments"][0]["deployment_id"]
    events_app.calls.clear()
    code, again, _ = run_cli(lambda_env, payload())  # waits for the verdict
    assert code == 0, again
    assert again["status"] == "succeeded", again
    [followed] = again["deployments"]
    assert (followed["deployment_id"], followed["outcome"]) == (deployment, "succeeded")
    assert "UpdateService" not in mutating_calls(events_app)


def test_a_repeated_payload_after_it_landed_succeeds_without_an_update(
    events_app: Any, lambda_env: dict[str, str]
) -> None:
    code, first, _ = run_cli(lambda_env, payload())
    assert first["status"] == "succeeded", first
    events_app.calls.clear()
    code, again, _ = run_cli(lambda_env, payload())
    assert code == 0, again
    assert again["status"] == "succeeded", again
    assert (
        again["deployments"][0]["task_definition_arn"]
        == first["deployments"][0]["task_definition_arn"]
    )
    assert [c for c in mutating_calls(events_app) if c != "TagResource"] == []


# -- an ECR push -------------------------------------------------------------------------------
def test_a_push_deploys_the_two_services_that_run_the_repository(
    events_app: Any, lambda_env: dict[str, str]
) -> None:
    # web is listed too but runs another repository: it is left alone.
    env = {
        **lambda_env,
        "ECS_DEPLOY_SERVICES": json.dumps(
            {"my-repository-name": ["demo/api", "demo/jobs", "demo/web"]}
        ),
    }
    web_before = service_of(events_app, "web")["taskDefinition"]
    code, response, _ = run_cli(env, fixture("ecr-image-push.json"))
    assert code == 0, response
    assert response["kind"] == "ecr_image_push"
    assert response["status"] == "succeeded"
    assert sorted(d["service"] for d in response["deployments"]) == ["api", "jobs"]
    assert all(d["outcome"] == "succeeded" for d in response["deployments"])
    api = images_of(events_app, service_of(events_app, "api")["taskDefinition"])
    assert api == {
        "api": f"{ECR_IMAGE}:latest",
        "envoy": "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29",
    }
    jobs = images_of(events_app, service_of(events_app, "jobs")["taskDefinition"])
    assert jobs == {"jobs": f"{ECR_IMAGE}:latest"}
    assert service_of(events_app, "web")["taskDefinition"] == web_before


def test_services_from_an_application_file(
    events_app: Any, lambda_env: dict[str, str], workspace: Path
) -> None:
    env = {**lambda_env, "ECS_DEPLOY_CONFIG": str(workspace / "ecr-app.yml")}
    code, response, _ = run_cli(env, fixture("ecr-image-push.json"))
    assert code == 0, response
    assert sorted(d["service"] for d in response["deployments"]) == ["api", "jobs"]


def test_an_application_file_environment_chooses_the_cluster(
    events_app: Any, lambda_env: dict[str, str], workspace: Path
) -> None:
    seed_prod(events_app, workspace)
    (workspace / "promoted.yml").write_text(
        "version: v1\n"
        "services:\n"
        "  - name: api\n"
        "environments:\n"
        "  test: {cluster: demo}\n"
        "  prod: {cluster: prod}\n"
    )
    demo_before = service_of(events_app, "api")["taskDefinition"]
    env = {**lambda_env, "ECS_DEPLOY_CONFIG": str(workspace / "promoted.yml")}
    code, response, _ = run_cli(env, fixture("ecr-image-push.json"))
    assert code == 2 and response["error"]["type"] == "invalid_configuration", response
    assert "give environment" in response["message"]
    events_app.calls.clear()
    code, response, _ = run_cli(
        {**env, "ECS_DEPLOY_ENVIRONMENT": "prod"}, fixture("ecr-image-push.json")
    )
    assert code == 0, response
    assert [(d["cluster"], d["service"]) for d in response["deployments"]] == [("prod", "api")]
    assert service_of(events_app, "api")["taskDefinition"] == demo_before
    prod = images_of(events_app, service_of(events_app, "api", "prod")["taskDefinition"])
    assert prod["api"] == f"{ECR_IMAGE}:latest"


@pytest.mark.parametrize(
    ("file", "words"),
    [
        # Only the names are used: a key an event would silently ignore is refused.
        (
            "cluster: demo\nservices:\n  - {name: api, image_tag_parameter: /app/tag}\n",
            "services.api.image_tag_parameter",
        ),
        ("cluster: demo\nservices:\n  - {name: api, desired_count: 3}\n", "desired_count"),
        ("cluster: demo\nkeep_revisions: 5\nservices:\n  - name: api\n", "keep_revisions"),
        # No cluster: not the action's "default", a guess.
        ("services:\n  - name: api\n", "names no cluster"),
    ],
)
def test_an_application_file_asking_what_an_event_does_not_do_is_refused(
    events_app: Any, lambda_env: dict[str, str], workspace: Path, file: str, words: str
) -> None:
    (workspace / "event-app.yml").write_text("version: v1\n" + file)
    env = {**lambda_env, "ECS_DEPLOY_CONFIG": str(workspace / "event-app.yml")}
    code, response, stderr = run_cli(env, fixture("ecr-image-push.json"))
    assert code == 2, response
    assert response["error"]["type"] == "invalid_configuration"
    assert words in response["message"]
    assert "Traceback" not in stderr
    assert mutating_calls(events_app) == []


def seed_prod(app: Any, workspace: Path) -> None:
    """The ECR application's services in a second cluster, prod."""
    seed = workspace / "prod-seed.yml"
    seed.write_text(
        (workspace / "ecr-app.yml").read_text().replace("cluster: demo", "cluster: prod")
    )
    app.seed(seed)
    app.calls.clear()


def test_a_push_to_two_clusters_starts_both_before_waiting_on_either(
    events_app: Any, lambda_env: dict[str, str], workspace: Path
) -> None:
    seed_prod(events_app, workspace)
    events_app.faults.set_for_image(f"{ECR_IMAGE}:latest", Fault.placement_delay(3600))
    env = {**lambda_env, "ECS_DEPLOY_SERVICES": '{"my-repository-name": ["demo/api", "prod/api"]}'}
    code, response, stderr = run_cli(env, fixture("ecr-image-push.json"), "--remaining-time", "4")
    assert code == 0, response
    assert response["status"] == "handed_off", response
    assert sorted(d["cluster"] for d in response["deployments"]) == ["demo", "prod"]
    calls = list(events_app.calls.operations())
    updates = [c.at for c in calls if c.operation == "UpdateService"]
    assert len(updates) == 2
    # One cluster after the other, the second's update would come after the first's whole
    # wait (three seconds of polls, ending at the function's margin): both come first.
    polls = {
        cluster: [
            c.at
            for c in calls
            if c.operation == "DescribeServices" and c.params.get("cluster") == cluster
        ]
        for cluster in ("demo", "prod")
    }
    assert max(updates) < min(polls["demo"][-1], polls["prod"][-1]), (updates, polls)
    assert "timed_out" not in stderr


def test_a_push_to_another_registry_deploys_nothing(
    events_app: Any, lambda_env: dict[str, str]
) -> None:
    event = fixture("ecr-image-push.json")
    event["account"] = "999999999999"  # the same repository name in another account's registry
    env = {**lambda_env, "ECS_DEPLOY_SERVICES": '{"my-repository-name": ["demo/api"]}'}
    code, response, _ = run_cli(env, event)
    assert code == 0
    assert response["status"] == "ignored"
    assert mutating_calls(events_app) == []


# -- Lambda's time, the hand-off and the state-change handler ----------------------------------
def deployment_events(app: Any, deployment_id: str, state: str, timeout: float = 60.0) -> None:
    """Wait (on the emulator, not our code) until ECS would have sent the event."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(
            c.deployment_id == deployment_id and c.field == "rolloutState" and c.value == state
            for c in app.history
        ):
            return
        time.sleep(0.05)
    raise AssertionError(f"{deployment_id} never became {state}")


def completed_at(app: Any, deployment_id: str) -> float | None:
    return next(
        (
            c.at
            for c in app.history
            if c.deployment_id == deployment_id
            and c.field == "rolloutState"
            and c.value == "COMPLETED"
        ),
        None,
    )


def state_change(app: Any, name: str, service: str, deployment_id: str) -> dict[str, Any]:
    """AWS's example event of that name, about the emulator's service and deployment."""
    event = fixture(f"ecs-deployment-{name}.json")
    event["resources"] = [service_of(app, service)["serviceArn"]]
    event["region"] = "us-east-1"
    event["detail"]["deploymentId"] = deployment_id
    return event


def rollback_of(app: Any, service: str, failed: str) -> str:
    """The deployment ECS rolled `failed` back with (it is PRIMARY once the rollback ran)."""
    [primary] = [d for d in service_of(app, service)["deployments"] if d["status"] == "PRIMARY"]
    assert primary["id"] != failed
    return str(primary["id"])


def sns_queue(app: Any) -> tuple[str, Callable[[], list[dict[str, Any]]]]:
    """An SNS topic with an SQS queue subscribed: what was published can be read back."""
    sns, sqs = app.client("sns"), app.client("sqs")
    topic = sns.create_topic(Name="deploy-verdicts")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="verdicts")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true"},
    )

    def received() -> list[dict[str, Any]]:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
        return [json.loads(m["Body"]) for m in messages.get("Messages", [])]

    return topic, received


def bus_queue(app: Any) -> tuple[str, Callable[[], list[dict[str, Any]]]]:
    """An EventBridge bus whose ecs-deploy events go to an SQS queue."""
    events, sqs = app.client("events"), app.client("sqs")
    events.create_event_bus(Name="deploys")
    queue_url = sqs.create_queue(QueueName="bus-verdicts")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    events.put_rule(
        Name="verdicts", EventBusName="deploys", EventPattern='{"source": ["ecs-deploy"]}'
    )
    events.put_targets(
        Rule="verdicts", EventBusName="deploys", Targets=[{"Id": "queue", "Arn": queue_arn}]
    )

    def received() -> list[dict[str, Any]]:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
        return [json.loads(m["Body"]) for m in messages.get("Messages", [])]

    return "deploys", received


def test_time_running_out_hands_off_and_the_state_change_gives_the_verdict(
    events_app: Any, lambda_env: dict[str, str]
) -> None:
    # Tasks take a while to be placed: the deployment cannot finish in the (zero) time left.
    events_app.faults.set_for_image(f"{WEB_REPOSITORY}:v2", Fault.placement_delay(30))
    started = handle(payload(), NO_TIME_LEFT, os.environ, accept=("updater",))
    assert started.status.value == "handed_off", started.message
    [deployment] = started.deployments
    assert started.handed_off == (deployment.deployment_id,)
    assert "handed off" in (deployment.reason or "")
    # The update was made and left to run; nothing was stopped or rolled back.
    assert mutating_calls(events_app).count("UpdateService") == 1
    # Tags follow an update that was accepted.
    tags = events_app.client("ecs").list_tags_for_resource(
        resourceArn=service_of(events_app, "web")["serviceArn"]
    )["tags"]
    assert {"key": "version", "value": "v2"} in tags

    topic, received = sns_queue(events_app)
    os.environ["ECS_DEPLOY_SNS_TOPIC_ARN"] = topic
    deployment_events(events_app, str(deployment.deployment_id), "COMPLETED")
    event = state_change(events_app, "completed", "web", str(deployment.deployment_id))
    judged = handle(event, FakeContext(20_000), os.environ, accept=("deployment_state_change",))
    assert judged.status.value == "succeeded", judged.message
    assert judged.verdict is not None
    assert judged.verdict.deployment_id == deployment.deployment_id
    assert judged.verdict.outcome == "succeeded"
    assert judged.delivered_to == ("logs", f"sns:{topic}")
    [message] = received()
    assert message["verdict"]["deployment_id"] == deployment.deployment_id
    assert message["status"] == "succeeded"


def test_the_command_acts_as_lambda_with_the_time_given(
    events_app: Any, lambda_env: dict[str, str]
) -> None:
    events_app.faults.set_for_image(f"{WEB_REPOSITORY}:v2", Fault.placement_delay(30))
    code, response, stderr = run_cli(lambda_env, payload(), "--remaining-time", "1")
    assert code == 0, response
    assert response["status"] == "handed_off"
    assert response["handed_off"] == [response["deployments"][0]["deployment_id"]]
    assert "handed off" in stderr  # the log says so too (stdout is the response alone)


def rolled_back(app: Any) -> tuple[str, str]:
    """A crashing tag deployed (handed off at once) and ECS's circuit breaker rolling it back
    to completion: the failed deployment's id and the rollback's."""
    app.faults.set_for_image(f"{WEB_REPOSITORY}:crash", Fault.CRASH)
    started = handle(payload(ecs_tag="crash"), NO_TIME_LEFT, os.environ, accept=("updater",))
    failed = str(started.deployments[0].deployment_id)
    deployment_events(app, failed, "FAILED")
    rollback = rollback_of(app, "web", failed)
    deployment_events(app, rollback, "COMPLETED")
    return failed, rollback


def test_a_failed_deployment_handed_off_is_judged_rolled_back_with_forensics(
    events_app: Any, lambda_env: dict[str, str]
) -> None:
    events_app.faults.set_for_image(f"{WEB_REPOSITORY}:crash", Fault.CRASH)
    started = handle(payload(ecs_tag="crash"), NO_TIME_LEFT, os.environ, accept=("updater",))
    assert started.status.value == "handed_off", started.message
    failed = str(started.deployments[0].deployment_id)
    deployment_events(events_app, failed, "FAILED")
    rollback = rollback_of(events_app, "web", failed)
    deployment_events(events_app, rollback, "COMPLETED")

    # Every event of the story, whatever order they come in, gives the same verdict:
    # the FAILED one (late: the rollback already completed), ECS's rollback starting, and
    # the rollback's COMPLETED, which is not a success of anything.
    bus, received = bus_queue(events_app)
    env = {**lambda_env, "ECS_DEPLOY_EVENT_BUS": bus}
    for name, about in (
        ("completed", rollback),
        ("failed", failed),
        ("rollback-in-progress", rollback),
    ):
        event = state_change(events_app, name, "web", about)
        code, response, _ = run_cli(env, event)
        assert code == 1, (name, response)
        assert response["error"]["type"] == "deployment_failed"
        verdict = response["verdict"]
        assert verdict["outcome"] == "rolled_back", (name, verdict)
        assert verdict["deployment_id"] == failed
        assert "circuit breaker" in verdict["reason"]
        evidence = verdict["forensics"]
        assert any(
            "container app exited 1" in group["description"] for group in evidence["stopped_tasks"]
        ), evidence
        assert any(
            "connection refused" in line for tail in evidence["logs"] for line in tail["lines"]
        ), evidence
        assert response["delivered_to"] == ["logs", f"events:{bus}"]
        [sent] = received()
        assert sent["source"] == "ecs-deploy"
        assert sent["detail-type"] == "ecs-deploy Deployment Verdict"
        assert sent["detail"]["verdict"] == verdict


def test_a_verdict_past_the_functions_time_comes_without_forensics(
    events_app: Any, lambda_env: dict[str, str]
) -> None:
    failed, _ = rolled_back(events_app)
    events_app.calls.clear()
    judged = handle(state_change(events_app, "failed", "web", failed), NO_TIME_LEFT, os.environ)
    assert judged.verdict is not None, judged.message
    assert judged.verdict.outcome == "rolled_back"
    assert judged.verdict.forensics is None
    # The forensics' reads (stopped tasks, log tails) were not made.
    assert "GetLogEvents" not in [c.operation for c in events_app.calls.operations()]


def test_while_ecs_rolls_back_the_verdict_is_pending(
    events_app: Any, lambda_env: dict[str, str]
) -> None:
    # The rollback's tasks (the old image) take an hour of ECS time to be placed.
    events_app.faults.set_for_image(f"{WEB_REPOSITORY}:1.0", Fault.placement_delay(3600))
    events_app.faults.set_for_image(f"{WEB_REPOSITORY}:crash", Fault.CRASH)
    started = handle(payload(ecs_tag="crash"), NO_TIME_LEFT, os.environ, accept=("updater",))
    failed = str(started.deployments[0].deployment_id)
    deployment_events(events_app, failed, "FAILED")
    rollback = rollback_of(events_app, "web", failed)
    for name, about in (("failed", failed), ("rollback-in-progress", rollback)):
        event = state_change(events_app, name, "web", about)
        before = time.monotonic()
        judged = handle(event, FakeContext(20_000), os.environ)
        after = time.monotonic()
        # Pending exactly while ECS's rollback has not completed. (Where ECS re-activates the
        # last completed deployment, rollback=reuse, its tasks still run: it completes at once.)
        done = completed_at(events_app, rollback)
        if done is None or done > after:
            assert judged.status.value == "pending", (name, judged.message)
            assert judged.verdict is None
            assert judged.exit_code == 0
        elif done < before:
            assert judged.verdict is not None
            assert judged.verdict.outcome == "rolled_back", (name, judged.message)
    # Judging took reads only.
    assert mutating_calls(events_app).count("UpdateService") == 1


def test_without_the_service_deployments_api_a_rollback_is_never_a_success(
    events_app: Any, lambda_env: dict[str, str]
) -> None:
    events_app.faults.deny("ecs", "ListServiceDeployments")
    failed, rollback = rolled_back(events_app)
    judged = handle(state_change(events_app, "completed", "web", rollback), None, os.environ)
    assert judged.exit_code == 1, judged.message
    assert judged.verdict is not None
    assert judged.verdict.deployment_id == failed
    # Without ECS's own record the rollback cannot be told from someone else's deployment
    # (its reason is gone once it completed): not a success, and never a guess of "rolled back".
    assert judged.verdict.outcome == "superseded", judged.message
    evidence = judged.verdict.forensics
    assert evidence is not None
    assert any("connection refused" in line for tail in evidence.logs for line in tail.lines)


def test_an_initial_in_progress_event_waits_for_its_verdict(
    events_app: Any, lambda_env: dict[str, str]
) -> None:
    event = state_change(events_app, "in-progress", "web", "ecs-svc/123")
    code, response, _ = run_cli(lambda_env, event)
    assert code == 0
    assert response["status"] == "ignored"
    assert response["verdict"] is None


def test_the_updater_handler_refuses_state_changes(lambda_env: dict[str, str]) -> None:
    response = handle(
        fixture("ecs-deployment-completed.json"),
        None,
        os.environ,
        accept=("updater", "ecr_image_push"),
    )
    assert response.status.value == "invalid"
    assert response.error_type == "invalid_event"
