"""Replay real recorded AWS responses through botocore's Stubber into the real `aws` and
`deploy` layers, and check the verdict a person reading those responses would give.

The responses are in tests/replay/recorded/, each with its source (SOURCES.md quotes the AWS
documentation behind them). What a fixture does not say (our own plan: which deployment this
run started, the revision it deploys) is set here and named as such.
"""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import botocore.session
from botocore.model import Shape
from botocore.stub import Stubber

from ecs_deploy.aws.codedeploy import CodeDeployApi
from ecs_deploy.aws.ecs import EcsApi
from ecs_deploy.config.settings import FailFastPolicy
from ecs_deploy.deploy.started import StartedDeployment
from ecs_deploy.deploy.strategies.codedeploy import CodeDeployTracker, watch_codedeploy
from ecs_deploy.deploy.strategies.rolling import start_rolling, watch_rolling
from ecs_deploy.deploy.watch import SourceReader, WatchLoop
from ecs_deploy.plan.deployment import ServicePlan, TaskDefinitionPlan
from ecs_deploy.report.console import Reporter
from ecs_deploy.results import Outcome
from tests.unit.deploy.support import FakeClock

RECORDED = Path(__file__).parent / "recorded"
_MODELS = botocore.session.get_session()


def _timestamps(shape: Shape, value: Any) -> Any:
    """What botocore's parser gives for `value`: timestamps as datetimes (ISO strings, as the
    AWS CLI prints them, or epoch seconds, as the wire carries them)."""
    if value is None:
        return None
    if shape.type_name == "structure":
        return {
            key: _timestamps(shape.members[key], item) if key in shape.members else item
            for key, item in value.items()
        }
    if shape.type_name == "list":
        return [_timestamps(shape.member, item) for item in value]  # type: ignore[attr-defined]
    if shape.type_name == "timestamp":
        if isinstance(value, int | float):
            return datetime.fromtimestamp(value).astimezone()
        return datetime.fromisoformat(value)
    return value


def recorded(name: str) -> dict[str, Any]:
    """A recorded response, parsed as boto3 would hand it over."""
    fixture = json.loads((RECORDED / name).read_text(encoding="utf-8"))
    model = _MODELS.get_service_model(fixture["service"])
    operation = model.operation_model(fixture["operation"])
    return dict(_timestamps(operation.output_shape, fixture["response"]))


def recorded_error(name: str) -> dict[str, Any]:
    return dict(json.loads((RECORDED / "errors" / name).read_text(encoding="utf-8")))


def client(service: str, region: str) -> Any:
    return boto3.client(
        service,
        region_name=region,
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=botocore.config.Config(retries={"max_attempts": 1}),
    )


def plan(name: str, cluster: str, live_primary: str | None, **extra: Any) -> ServicePlan:
    definition = TaskDefinitionPlan(name, {"family": name, "containerDefinitions": []}, None, True)
    return ServicePlan(
        name, cluster, "", definition, False, None, 1800.0, live_primary_id=live_primary, **extra
    )


def loop(ecs: EcsApi | None, codedeploy: CodeDeployApi | None, out: io.StringIO) -> WatchLoop:
    reporter = Reporter(in_actions=False, out=out, err=out)
    return WatchLoop(SourceReader(ecs, codedeploy), FakeClock(), reporter, poll_interval=5.0)


# -- circuit-breaker rollback, recorded on AWS (sevenwestmedia-labs/pulumi-components) --------
ROLLBACK_SERVICE = "news-thewest-pr713-web-app-service-452bf42"
ROLLBACK_CLUSTER = "news-shared-branch-deploys-cluster-dc6652e7f5dab6d3"
# Ours: the deployment the events name as failed ("(deployment ecs-svc/1570303241572688488)
# deployment failed: tasks failed to start."). Its revision and creation time are not in the
# recording: assumed here (a revision the service does not run; created before it failed).
OUR_DEPLOYMENT = "ecs-svc/1570303241572688488"
OUR_REVISION = (
    "arn:aws:ecs:ap-southeast-2:291971919224:task-definition/"
    "news-thewest-pr713-web-app-task-definition:6"
)
# PRIMARY when our update began (the ACTIVE IN_PROGRESS one in the recording, created 12:50).
LIVE_PRIMARY = "ecs-svc/1281894607538416024"


def rollback_started() -> StartedDeployment:
    created = datetime.fromisoformat("2021-04-23T12:57:00+08:00")
    return StartedDeployment(
        plan(ROLLBACK_SERVICE, ROLLBACK_CLUSTER, LIVE_PRIMARY),
        OUR_REVISION,
        True,
        OUR_DEPLOYMENT,
        0.0,
        created - timedelta(milliseconds=500),
        created_at=created,
    )


def test_a_recorded_circuit_breaker_rollback_is_rolled_back_once_it_completed() -> None:
    """Our FAILED deployment is already gone; the last COMPLETED deployment (created long
    before ours) is PRIMARY and IN_PROGRESS again, then COMPLETED: rolled back, at the poll
    that shows it completed, not before."""
    ecs_client = client("ecs", "ap-southeast-2")
    unsupported = recorded_error("ecs-client-exception-operation-not-supported-in-region.json")
    with Stubber(ecs_client) as stub:
        stub.add_response(
            "describe_services",
            recorded("describe-services-circuit-breaker-rollback-in-progress.json"),
        )
        # Ours is off course: ECS's record is asked for; this region has no such API.
        stub.add_client_error(
            "list_service_deployments",
            unsupported["error"]["Code"],
            unsupported["error"]["Message"],
            unsupported["http_status"],
        )
        stub.add_response(
            "describe_services", recorded("describe-services-circuit-breaker-rolled-back.json")
        )
        out = io.StringIO()
        ecs = EcsApi(ecs_client)
        verdicts = loop(ecs, None, out).run(
            [watch_rolling(rollback_started(), None, FailFastPolicy(), ecs, None)], live=False
        )
        stub.assert_no_pending_responses()
    verdict = verdicts[ROLLBACK_SERVICE].verdict
    assert verdict.outcome is Outcome.ROLLED_BACK and verdict.ecs_rollback
    assert "rolled back to news-thewest-pr713-web-app-task-definition:2" in verdict.reason
    assert verdicts[ROLLBACK_SERVICE].seconds == 5.0  # the second poll: the one that shows it
    assert "warning" not in out.getvalue()  # a missing API is no one's fault: no warning


def test_a_rollback_seen_only_once_it_completed_is_still_rolled_back() -> None:
    """A slow poll may miss the rollback in flight: the deployment PRIMARY again was created
    before ours and changed since, which only ECS's rollback does."""
    ecs_client = client("ecs", "ap-southeast-2")
    with Stubber(ecs_client) as stub:
        stub.add_response(
            "describe_services", recorded("describe-services-circuit-breaker-rolled-back.json")
        )
        stub.add_client_error("list_service_deployments", "UnknownOperationException", "", 400)
        ecs = EcsApi(ecs_client)
        verdicts = loop(ecs, None, io.StringIO()).run(
            [watch_rolling(rollback_started(), None, FailFastPolicy(), ecs, None)], live=False
        )
    assert verdicts[ROLLBACK_SERVICE].verdict.outcome is Outcome.ROLLED_BACK


def test_a_recorded_update_starts_a_deployment_we_then_judge_completed() -> None:
    """aws-cli's update-service example: the new PRIMARY IN_PROGRESS beside the old ACTIVE
    COMPLETED one is ours; the same deployment COMPLETED on our revision is success."""
    answer = recorded("update-service-rolling-deployment-in-progress.json")
    service = answer["service"]
    primary = next(d for d in service["deployments"] if d["status"] == "PRIMARY")
    old = next(d for d in service["deployments"] if d["status"] == "ACTIVE")
    ecs_client = client("ecs", "us-west-2")
    service_plan = plan(service["serviceName"], "mycluster", old["id"])
    registered = {"taskDefinition": {"taskDefinitionArn": primary["taskDefinition"]}}

    class Registered:
        def arn_for(self, _definition: Any) -> tuple[str, bool]:
            return str(registered["taskDefinition"]["taskDefinitionArn"]), False

    with Stubber(ecs_client) as stub:
        stub.add_response("update_service", answer)
        completed = {**primary, "rolloutState": "COMPLETED", "runningCount": 2}
        stub.add_response(
            "describe_services", {"services": [{**service, "deployments": [completed]}]}
        )
        ecs = EcsApi(ecs_client)
        started = start_rolling(service_plan, ecs, Registered(), FakeClock())  # type: ignore[arg-type]
        assert started.deployment_id == primary["id"]
        assert started.created_at == primary["createdAt"]
        verdicts = loop(ecs, None, io.StringIO()).run(
            [watch_rolling(started, None, FailFastPolicy(), ecs, None)], live=False
        )
    assert verdicts[service["serviceName"]].verdict.outcome is Outcome.SUCCEEDED


# -- CodeDeploy ------------------------------------------------------------------------------
def codedeploy_tracker(deployment_id: str, **extra: Any) -> CodeDeployTracker:
    return CodeDeployTracker("api", deployment_id, 0.0, 600.0, **extra)


def test_a_fresh_codedeploy_deployment_s_targets_are_not_an_iam_problem() -> None:
    """ListDeploymentTargets raises DeploymentNotStartedException while the deployment is
    Created (codedeploy model: "The specified deployment has not started."): no events yet,
    no IAM warning, and the verdict still comes from GetDeployment."""
    not_started = recorded_error(
        "codedeploy-batch-get-deployment-targets-deployment-not-started.json"
    )
    succeeded = recorded("get-deployment-succeeded.json")
    deployment_id = succeeded["deploymentInfo"]["deploymentId"]
    created = {"deploymentInfo": {**succeeded["deploymentInfo"], "status": "Created"}}
    codedeploy_client = client("codedeploy", "us-east-1")
    with Stubber(codedeploy_client) as stub:
        stub.add_response("get_deployment", created)
        stub.add_client_error(
            "list_deployment_targets",
            not_started["error"]["Code"],
            not_started["error"]["Message"],
            not_started["http_status"],
        )
        stub.add_response("get_deployment", succeeded)
        stub.add_response("list_deployment_targets", {"targetIds": []})
        out = io.StringIO()
        api = CodeDeployApi(codedeploy_client)
        tracker = codedeploy_tracker(deployment_id, stop_on_timeout=True)
        verdicts = loop(None, api, out).run(
            [watch_codedeploy(tracker, api, FakeClock())], live=False
        )
        stub.assert_no_pending_responses()
    assert verdicts["api"].verdict.outcome is Outcome.SUCCEEDED
    assert "lifecycle events unavailable" not in out.getvalue()
    assert not tracker.events_denied


def test_a_recorded_codedeploy_failure_names_codedeploy_s_error() -> None:
    """aws-cli's batch-get-deployments example: Failed with errorInformation, no rollback."""
    infos = recorded("batch-get-deployments-failed-health-constraints.json")["deploymentsInfo"]
    failed = next(info for info in infos if info.get("errorInformation"))
    codedeploy_client = client("codedeploy", "us-east-1")
    with Stubber(codedeploy_client) as stub:
        stub.add_response("get_deployment", {"deploymentInfo": failed})
        stub.add_response("list_deployment_targets", {"targetIds": []})
        api = CodeDeployApi(codedeploy_client)
        tracker = codedeploy_tracker(failed["deploymentId"])
        verdicts = loop(None, api, io.StringIO()).run(
            [watch_codedeploy(tracker, api, FakeClock())], live=False
        )
    verdict = verdicts["api"].verdict
    assert verdict.outcome is Outcome.FAILED
    assert failed["errorInformation"]["code"] in verdict.reason


def test_lifecycle_events_denied_never_stop_a_deployment_on_a_guess() -> None:
    """With the target permissions denied, whether production traffic moved is unknown: on
    our timeout the deployment is left alone (timed_out), never StopDeployment."""
    succeeded = recorded("get-deployment-succeeded.json")["deploymentInfo"]
    in_progress = {"deploymentInfo": {**succeeded, "status": "InProgress"}}
    codedeploy_client = client("codedeploy", "us-east-1")
    with Stubber(codedeploy_client) as stub:
        stub.add_response("get_deployment", in_progress)
        stub.add_client_error("list_deployment_targets", "AccessDeniedException", "denied", 400)
        for _ in range(120):
            stub.add_response("get_deployment", in_progress)
        out = io.StringIO()
        api = CodeDeployApi(codedeploy_client)
        tracker = codedeploy_tracker(succeeded["deploymentId"], stop_on_timeout=True)
        verdicts = loop(None, api, out).run(
            [watch_codedeploy(tracker, api, FakeClock())], live=False
        )
    verdict = verdicts["api"].verdict
    assert verdict.outcome is Outcome.TIMED_OUT and "was not stopped" in verdict.reason
    assert out.getvalue().count("lifecycle events unavailable") == 1
