"""Verdicts through entrypoint.py under the AWS behaviours the emulator shows in its modes.

Each behaviour is AWS's, not the emulator's invention (quotes in tests/replay/recorded/
SOURCES.md and ecs_deploy/emulator/README.md):
- circuit-breaker rollback: the last COMPLETED deployment "changes from a COMPLETED to
  IN_PROGRESS" (developer guide; a DescribeServices recorded on AWS shows it, with the
  reason "rolling back to deploymentId ..." and ours already gone from deployments[]); a
  new deployment of the old revision is the other shape users report;
- "duplicate event messages are omitted until either the cause is resolved or six hours
  passes" (developer guide, service event messages);
- pull failures ECS retries (429 toomanyrequests, timeouts, capacity) can recover;
- thresholdConfiguration (botocore ecs model); DeploymentNotStartedException (codedeploy
  model); startedBy "must be the only filter that you use" (ListTasks, ecs model);
- rollback runs the TEST_TRAFFIC_SHIFT and PRODUCTION_TRAFFIC_SHIFT hooks again (developer
  guide, lifecycle hooks); throttling and 5xx are retried (botocore's retry rules).
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from ecs_deploy.emulator import ApiFault, EmulatorModes, Fault
from tests.e2e.action import ActionRun, BackgroundRun
from tests.e2e.blue_green_setup import codedeploy_service, deploy_api, make_blue_green
from tests.e2e.conftest import service_of
from tests.e2e.history import reads_after, rollback_completed_at

REGISTRY = "registry.example.com:5000/team/web"
FAST = {"poll-interval": "0.2s", "timeout": "60s"}
DEFAULT_POLL = {"timeout": "60s"}  # poll-interval left at its default, 5 s


def deploy_web(action: Callable[..., ActionRun], tag: str, **inputs: str) -> ActionRun:
    return action({"config": ".ecs-deploy.yml", "service": "web", "image-tag": tag, **inputs})


def only_service(run: ActionRun) -> dict[str, Any]:
    [service] = json.loads(run.outputs["services"])
    return dict(service)


def use_modes(app: Any, **modes: Any) -> None:
    app.modes = dataclasses.replace(app.modes, **modes)


# -- 1 and 8: both rollback shapes, rolled back once ECS's rollback completed -----------------
@pytest.mark.parametrize("shape", ["reuse", "new"])
@pytest.mark.parametrize("poll", [FAST, DEFAULT_POLL], ids=["fast-poll", "default-poll"])
def test_crash_with_breaker_rollback_is_rolled_back_within_two_polls(
    app: Any, action: Callable[..., ActionRun], shape: str, poll: dict[str, str]
) -> None:
    use_modes(app, rollback=shape)
    before = service_of(app, "web")["taskDefinition"]
    app.faults.set_for_image(f"{REGISTRY}:crash", Fault.CRASH)
    run = deploy_web(action, "crash", **poll)
    assert run.exit_code == 1, run.stdout
    assert run.outputs["outcome"] == "rolled_back"
    rolled_back = rollback_completed_at(app, only_service(run)["deployment_id"])
    # The run read ECS after the rollback completed (DescribeServices, or in the same poll
    # its service deployment record), and stopped within two polls of it.
    reads, polls = reads_after(app, rolled_back)
    assert reads >= 1 and polls <= 2
    assert service_of(app, "web")["taskDefinition"] == before
    assert app.calls.count("UpdateService") == 1  # ECS rolled back; we did not, twice


def test_ecs_s_rollback_in_flight_at_our_timeout_is_not_rolled_back_twice(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    """rollback: on-failure, but ECS's own rollback is under way when our timeout comes:
    timed out, and no rollback of ours on top of ECS's."""
    use_modes(app, rollback="new")  # a new deployment of the old revision: new tasks
    app.faults.set_for_image(f"{REGISTRY}:crash", Fault.CRASH)
    # The old revision's new tasks start slowly, so ECS's rollback outlasts our timeout.
    app.faults.set_for_image(
        "registry.example.com:5000/team/web:1.0", Fault.placement_delay(0, pull_seconds=1800)
    )
    run = deploy_web(
        action, "crash", **{"poll-interval": "0.2s", "timeout": "4s", "rollback": "on-failure"}
    )
    assert run.outputs["outcome"] == "timed_out", run.stdout
    assert "ECS is still rolling back" in only_service(run)["reason"]
    assert only_service(run)["rollback"]["outcome"] == "started"  # ECS's, not ours
    assert app.calls.count("UpdateService") == 1


# -- 2: one "unable to place" event, then progress ---------------------------------------------
def test_one_placement_event_then_a_slow_pull_lands(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    use_modes(app, event_dedup=True)
    # Unplaceable for 2 ECS minutes (0.8 s here), then placed; each pull takes 10 ECS minutes
    # (4 s here): longer than placement-grace with no task running.
    app.faults.set_for_image(f"{REGISTRY}:slow", Fault.placement_delay(120, pull_seconds=600))
    run = deploy_web(action, "slow", **FAST, **{"placement-grace": "2s", "rollback": "on-failure"})
    assert run.exit_code == 0, run.stdout
    assert run.outputs["outcome"] == "succeeded"
    placement_events = run.stdout.count("was unable to place a task")
    assert placement_events == 1  # de-duplicated by ECS: all there is
    assert app.calls.count("UpdateService") == 1  # nothing rolled back


# -- 3: start failures ECS retries, and a raised breaker threshold ----------------------------
@pytest.mark.parametrize("cause", ["toomanyrequests", "timeout", "capacity", "resource-init"])
def test_a_pull_failure_that_recovers_lands(
    app: Any, action: Callable[..., ActionRun], cause: str
) -> None:
    """Two tasks fail to start for a cause ECS retries (max-start-failures is 2): ECS's
    breaker (threshold 3 for 2 tasks) does not trip, and the deployment lands."""
    app.faults.set_for_image(f"{REGISTRY}:flaky", Fault.transient_pull_failure(2, cause))
    run = deploy_web(action, "flaky", **FAST)
    assert run.exit_code == 0, run.stdout
    assert run.outputs["outcome"] == "succeeded"


def test_a_permanent_pull_failure_still_fails_fast(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    # The breaker stays on, at a threshold it cannot reach soon: on AWS the fail-fast is minutes
    # ahead of the breaker; on the sped-up emulator a loaded machine's slow polls could let
    # ECS's rollback come first (a true `rolled_back`, but not what this test is about).
    app.client("ecs").update_service(
        cluster="demo",
        service="web",
        deploymentConfiguration={
            "deploymentCircuitBreaker": {
                "enable": True,
                "rollback": True,
                "thresholdConfiguration": {"type": "COUNT", "value": 200},
            }
        },
    )
    app.faults.set_for_image(f"{REGISTRY}:missing", Fault.PULL_FAILURE)
    run = deploy_web(action, "missing", **FAST)
    assert run.outputs["outcome"] == "failed"
    assert "no retry fixes" in only_service(run)["reason"]


@pytest.mark.parametrize(("threshold", "outcome"), [(None, "rolled_back"), (10, "succeeded")])
def test_a_raised_breaker_threshold_is_followed(
    app: Any, action: Callable[..., ActionRun], threshold: int | None, outcome: str
) -> None:
    """Five tasks hit Docker Hub's rate limit, then pulls work. With the default threshold
    (3 for 2 tasks) ECS rolls back; with thresholdConfiguration COUNT 10 it lands."""
    breaker: dict[str, Any] = {"enable": True, "rollback": True}
    if threshold is not None:
        breaker["thresholdConfiguration"] = {"type": "COUNT", "value": threshold}
    app.client("ecs").update_service(
        cluster="demo",
        service="web",
        deploymentConfiguration={"deploymentCircuitBreaker": breaker},
    )
    app.faults.set_for_image(f"{REGISTRY}:limited", Fault.transient_pull_failure(5))
    run = deploy_web(action, "limited", **FAST)
    assert run.outputs["outcome"] == outcome, run.stdout


# -- 4: ListTasks as the model states it -----------------------------------------------------
def test_forensics_under_strict_list_tasks(app: Any, action: Callable[..., ActionRun]) -> None:
    use_modes(app, list_tasks="strict")
    app.faults.set_for_image(f"{REGISTRY}:crash", Fault.CRASH)
    run = deploy_web(action, "crash", **FAST)
    assert run.outputs["outcome"] == "rolled_back"
    assert "container app exited 1" in run.summary
    assert "cannot specify startedBy" not in run.stdout + run.stderr


# -- 5: CodeDeploy's targets before the deployment started -----------------------------------
def test_codedeploy_not_started_yet_is_no_events_not_an_iam_problem(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    use_modes(app, codedeploy_targets_before_start="raise", codedeploy_start_delay=30)
    codedeploy_service(app)
    run = deploy_api(action, rollback="on-failure")
    assert run.exit_code == 0, run.stdout
    assert run.outputs["outcome"] == "succeeded"
    assert "lifecycle events unavailable" not in run.stdout
    assert app.calls.count("StopDeployment") == 0
    # The first target reads did raise DeploymentNotStartedException: the case was exercised.
    assert app.calls.count("ListDeploymentTargets") >= 2


# -- 6: ECS blue/green rolling back through its traffic stages --------------------------------
def test_blue_green_rolling_back_through_its_hooks_is_never_ready(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    make_blue_green(app)
    app.faults.set_for_image(f"{REGISTRY}:crash", Fault.CRASH)
    run = deploy_web(action, "crash", **FAST, **{"wait-until": "POST_TEST_TRAFFIC_SHIFT"})
    assert run.exit_code == 1, run.stdout
    assert run.outputs["outcome"] == "rolled_back"
    # The rollback walked the traffic stages again (the emulator shows them on our record
    # while it rolls back); none of them was taken for the one waited for.
    assert "reached lifecycle stage" not in run.stdout
    assert "POST_TEST_TRAFFIC_SHIFT" not in run.outputs.get("hook-id", "")


# -- 7: service deployments with random ids and a skewed clock -------------------------------
@pytest.mark.parametrize("skew", [-1.5, 1.5])
def test_our_service_deployment_is_found_by_what_it_carries(
    app: Any, action: Callable[..., ActionRun], skew: float
) -> None:
    use_modes(
        app,
        service_deployment_ids="random",
        service_deployment_skew=skew,
        current_service_deployment_lag=3,
    )
    make_blue_green(app)
    run = deploy_web(action, "2.0", **FAST)
    assert run.exit_code == 0, run.stdout
    assert run.outputs["outcome"] == "succeeded"
    arn = run.outputs["deployment-arn"]
    suffix = arn.rsplit("/", 1)[-1]
    assert len(suffix) == 21 and not suffix.isdigit()  # AWS's random id, not ours
    record = app.client("ecs").describe_service_deployments(serviceDeploymentArns=[arn])
    [described] = record["serviceDeployments"]
    assert described["status"] == "SUCCESSFUL"


# -- 10: outages and throttling while waiting -------------------------------------------------
def wait_for_call(app: Any, operation: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while app.calls.count(operation) == 0 and time.monotonic() < deadline:
        time.sleep(0.02)


def test_a_20_second_describe_services_outage_ends_in_succeeded(
    app: Any, start_action: Callable[..., BackgroundRun]
) -> None:
    background = start_action(
        {"config": ".ecs-deploy.yml", "service": "web", "image-tag": "v2", **FAST}
    )
    wait_for_call(app, "UpdateService")
    app.faults.inject(ApiFault("DescribeServices", "503", for_seconds=20))
    run = background.wait()
    assert run.exit_code == 0, run.stdout
    assert run.outputs["outcome"] == "succeeded"
    assert "transient errors are retried until the deadline" in run.stdout
    assert "AWS answered again after" in run.stdout


def test_a_throttled_crash_and_rollback_is_rolled_back_with_nothing_done_twice(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    app.faults.inject(ApiFault("*", "throttle", rate=0.3, seed=7))
    app.faults.set_for_image(f"{REGISTRY}:crash", Fault.CRASH)
    run = deploy_web(action, "crash", **FAST)
    assert run.outputs["outcome"] == "rolled_back", run.stdout
    assert any(c.faulted for c in app.calls.operations())  # throttling did happen
    for operation in ("RegisterTaskDefinition", "UpdateService"):
        assert app.calls.count_answered(operation) == 1, operation


def test_connection_resets_and_slow_answers_are_ridden_out(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    app.faults.inject(ApiFault("DescribeServices", "reset", rate=0.4, seed=3))
    app.faults.inject(ApiFault("DescribeServices", "slow", rate=0.2, delay=1.0, seed=5))
    run = deploy_web(action, "v3", **FAST)
    assert run.exit_code == 0, run.stdout
    assert run.outputs["outcome"] == "succeeded"


def test_modes_are_restored_by_reset(ecs_emulator: Any) -> None:
    """The fixture starts each test from the session's modes (so these tests do not leak)."""
    assert ecs_emulator.modes == EmulatorModes()
