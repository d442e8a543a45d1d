"""True verdicts through entrypoint.py on the emulator: fail fast, explain, roll back."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from ecs_deploy.emulator import Fault
from tests.e2e.action import ActionRun, BackgroundRun
from tests.e2e.conftest import service_of
from tests.e2e.history import reads_after, rollback_completed_at, rollout_at

POLL = 0.2
FAST = {"poll-interval": f"{POLL}s", "timeout": "60s"}
REGISTRY = "registry.example.com:5000/team/web"


def deploy_web(action: Callable[..., ActionRun], tag: str, **inputs: str) -> ActionRun:
    return action(
        {"config": ".ecs-deploy.yml", "service": "web", "image-tag": tag, **FAST, **inputs}
    )


def only_service(run: ActionRun) -> dict[str, Any]:
    services = json.loads(run.outputs["services"])
    assert len(services) == 1
    return dict(services[0])


def error_lines(run: ActionRun) -> list[str]:
    return [line for line in run.stdout.splitlines() if line.startswith("::error")]


def disable_breaker(app: Any, service: str) -> None:
    app.client("ecs").update_service(
        cluster="demo",
        service=service,
        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": False, "rollback": False}},
    )


@pytest.mark.parametrize("service_deployments_api", [True, False], ids=["sd-api", "rollout-state"])
def test_breaker_rollback_is_rolled_back_and_explained(
    app: Any, action: Callable[..., ActionRun], service_deployments_api: bool
) -> None:
    app.service_deployments_api = service_deployments_api
    before = service_of(app, "web")["taskDefinition"]
    app.faults.set_for_image(f"{REGISTRY}:crash", Fault.CRASH)
    run = deploy_web(action, "crash")
    assert run.exit_code == 1, run.stdout
    assert run.outputs["outcome"] == "rolled_back"
    assert "circuit breaker" in only_service(run)["reason"]
    # The cause, where it is and what to look at: in the log, the annotation and the summary.
    assert "Essential container in task exited; container app exited 1" in run.stdout
    assert "| Error: connection refused (ECONNREFUSED 10.0.0.12:5432)" in run.stdout
    [error] = error_lines(run)
    assert "web: rolled_back" in error and "container app exited 1" in error
    assert "| Stopped tasks | Cause | What it means |" in run.summary
    assert "Error: connection refused" in run.summary
    assert "console.aws.amazon.com/ecs/v2/clusters/demo/services/web/deployments" in run.summary
    # ECS rolled back; this run did not roll back a second time.
    assert app.calls.count("UpdateService") == 1
    deadline = time.monotonic() + 10
    while service_of(app, "web")["taskDefinition"] != before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert service_of(app, "web")["taskDefinition"] == before


def test_out_of_memory_is_named(app: Any, action: Callable[..., ActionRun]) -> None:
    app.faults.set_for_image(f"{REGISTRY}:oom", Fault.OOM)
    run = deploy_web(action, "oom")
    assert run.outputs["outcome"] == "rolled_back"
    assert "exited 137" in run.summary
    assert "out of memory" in run.summary


def test_crash_loop_without_breaker_is_stalled(app: Any, action: Callable[..., ActionRun]) -> None:
    disable_breaker(app, "web")
    app.faults.set_for_image(f"{REGISTRY}:crash", Fault.CRASH)
    run = deploy_web(action, "crash")
    assert run.exit_code == 1
    assert run.outputs["outcome"] == "stalled"
    assert "crash loop" in only_service(run)["reason"]
    assert "the circuit breaker is off" in only_service(run)["reason"]


def test_failed_pull_fails_fast_before_the_breaker(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    app.faults.set_for_image(f"{REGISTRY}:missing", Fault.PULL_FAILURE)
    run = deploy_web(action, "missing")
    assert run.exit_code == 1
    # Had we waited for the breaker, the outcome would be rolled_back.
    assert run.outputs["outcome"] == "failed"
    reason = only_service(run)["reason"]
    assert "failed to start" in reason and "CannotPullContainerError" in reason
    assert "the image could not be pulled" in run.summary
    failed_at = [c.at for c in app.history if c.field == "rolloutState" and c.value == "FAILED"]
    last_poll = max(c.at for c in app.calls.operations() if c.operation == "DescribeServices")
    assert not failed_at or min(failed_at) > last_poll


def test_missing_secret_fails_fast(app: Any, action: Callable[..., ActionRun]) -> None:
    app.faults.set_for_image(f"{REGISTRY}:nosecret", Fault.MISSING_SECRET)
    run = deploy_web(action, "nosecret")
    assert run.outputs["outcome"] == "failed"
    assert "ResourceInitializationError" in only_service(run)["reason"]
    assert "execution role" in run.summary


def test_never_placed_is_stalled(app: Any, action: Callable[..., ActionRun]) -> None:
    app.faults.set_for_image(f"{REGISTRY}:huge", Fault.NEVER_PLACED)
    run = deploy_web(action, "huge", **{"placement-grace": "1s"})
    assert run.exit_code == 1
    assert run.outputs["outcome"] == "stalled"
    assert "was unable to place a task" in only_service(run)["reason"]


def test_a_second_update_during_our_wait_is_superseded(
    app: Any, start_action: Callable[..., BackgroundRun]
) -> None:
    app.faults.set_for_image(f"{REGISTRY}:slow", Fault.NEVER_PLACED)
    before = service_of(app, "web")["taskDefinition"]
    background = start_action(
        {
            "config": ".ecs-deploy.yml",
            "service": "web",
            "image-tag": "slow",
            "placement-grace": "60s",
            **FAST,
        }
    )
    deadline = time.monotonic() + 30
    while app.calls.count("UpdateService") == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    app.client("ecs").update_service(cluster="demo", service="web", taskDefinition=before)
    run = background.wait()
    assert run.exit_code == 1
    assert run.outputs["outcome"] == "superseded"
    assert "replaced" in only_service(run)["reason"] or "now runs" in only_service(run)["reason"]


def test_timeout_with_rollback(app: Any, action: Callable[..., ActionRun]) -> None:
    before = service_of(app, "web")["taskDefinition"]
    app.faults.set_for_image(f"{REGISTRY}:stuck", Fault.NEVER_PLACED)
    run = action(
        {
            "config": ".ecs-deploy.yml",
            "service": "web",
            "image-tag": "stuck",
            "timeout": "2s",
            "poll-interval": f"{POLL}s",
            "placement-grace": "60s",
            "rollback": "on-failure",
        }
    )
    assert run.exit_code == 1
    assert run.outputs["outcome"] == "timed_out"
    result = only_service(run)
    assert result["rollback"]["task_definition_arn"] == before
    assert result["rollback"]["outcome"] == "succeeded"
    assert service_of(app, "web")["taskDefinition"] == before
    assert "(rollback succeeded)" in run.summary


def test_application_rollback_restores_every_service(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    names = ("web", "worker", "scheduler")
    before = {name: service_of(app, name)["taskDefinition"] for name in names}
    # Only this run rolls web back: with its breaker on, whether ECS's rollback or this run's
    # fail-fast comes first depends on how fast the machine polls (a loaded one: ECS's).
    disable_breaker(app, "web")
    app.calls.clear()  # count this run's calls only
    app.faults.set_for_image(f"{REGISTRY}:v9", Fault.PULL_FAILURE)
    run = action(
        {
            "config": ".ecs-deploy.yml",
            "image-tag": "v9",
            "rollback": "on-failure",
            "rollback-scope": "all",
            **FAST,
        }
    )
    assert run.exit_code == 1
    outcomes = {s["name"]: s for s in json.loads(run.outputs["services"])}
    assert outcomes["web"]["outcome"] == "failed"
    assert outcomes["worker"]["outcome"] == "rolled_back"
    assert outcomes["scheduler"]["outcome"] == "rolled_back"
    assert "because web did not deploy" in outcomes["worker"]["reason"]
    # web failed fast (its image does not exist) and this run rolled every service back.
    for name in names:
        assert outcomes[name]["rollback"]["outcome"] == "succeeded"
        assert service_of(app, name)["taskDefinition"] == before[name]
    assert app.calls.count("UpdateService") == 6


def test_rollback_scope_failed_leaves_the_others(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    disable_breaker(app, "web")  # only this run rolls back (see the test above)
    app.calls.clear()  # count this run's calls only
    app.faults.set_for_image(f"{REGISTRY}:v9", Fault.PULL_FAILURE)
    run = action({"config": ".ecs-deploy.yml", "image-tag": "v9", "rollback": "on-failure", **FAST})
    outcomes = {s["name"]: s for s in json.loads(run.outputs["services"])}
    assert outcomes["web"]["rollback"]["outcome"] == "succeeded"
    assert outcomes["worker"]["outcome"] == "succeeded"
    assert outcomes["worker"]["rollback"] is None
    assert app.calls.count("UpdateService") == 4  # three updates and web's rollback


@pytest.mark.parametrize("fault", [None, Fault.CRASH], ids=["completed", "rolled-back"])
def test_verdict_within_one_poll_interval_of_ecs(
    app: Any, action: Callable[..., ActionRun], fault: Fault | None
) -> None:
    tag = "fine" if fault is None else "crash"
    if fault is not None:
        app.faults.set_for_image(f"{REGISTRY}:{tag}", fault)
    run = deploy_web(action, tag)
    deployment_id = only_service(run)["deployment_id"]
    if fault is None:
        marked = rollout_at(app, deployment_id, "COMPLETED")
    else:
        # Rolled back is said once ECS's rollback completed, never while it runs.
        marked = rollback_completed_at(app, deployment_id)
        assert run.outputs["outcome"] == "rolled_back"
    # Counted in polls, not wall seconds (a loaded machine stretches seconds, not polls): the
    # first poll after ECS decided gives the verdict, and the run stops asking once it knows.
    reads, polls = reads_after(app, marked)
    assert reads >= 1 and polls <= 1


def test_polling_batches_services(app: Any, action: Callable[..., ActionRun]) -> None:
    run = action({"config": ".ecs-deploy.yml", "image-tag": "v5", **FAST})
    assert run.exit_code == 0
    polls = app.calls.count("DescribeServices")
    seconds = max(s["seconds"] for s in json.loads(run.outputs["services"]))
    # One call per poll for three services (plus the preflight), never one per service.
    assert polls <= seconds / POLL + 3
    assert app.calls.count("DescribeTasks") == 0  # nothing failed: nothing to explain


def breaker_without_rollback(app: Any, service: str) -> None:
    app.client("ecs").update_service(
        cluster="demo",
        service=service,
        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": False}},
    )


def test_a_rerun_after_a_failed_deployment_is_not_unchanged(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    breaker_without_rollback(app, "web")
    app.calls.clear()
    app.faults.set_for_image(f"{REGISTRY}:crash", Fault.CRASH)
    first = deploy_web(action, "crash")
    assert first.exit_code == 1 and first.outputs["outcome"] == "failed"
    # The service's taskDefinition now names the failed revision: the same inputs again must
    # deploy it again (and fail again), not report "unchanged" with exit 0.
    second = deploy_web(action, "crash")
    assert second.exit_code == 1, second.stdout
    assert only_service(second)["outcome"] != "unchanged"
    assert "redeploy: the service is not settled" in second.stdout
    assert app.calls.count("UpdateService") == 2


def test_rollback_returns_to_the_last_completed_revision(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    stable = service_of(app, "web")["taskDefinition"]
    breaker_without_rollback(app, "web")
    app.faults.set_for_image(f"{REGISTRY}:crash", Fault.CRASH)
    app.faults.set_for_image(f"{REGISTRY}:crash2", Fault.CRASH)
    deploy_web(action, "crash")  # leaves web:2 as the failed PRIMARY, web:1 serving
    run = deploy_web(action, "crash2", rollback="on-failure")
    result = only_service(run)
    assert result["rollback"]["task_definition_arn"] == stable
    assert result["rollback"]["outcome"] == "succeeded"
    assert service_of(app, "web")["taskDefinition"] == stable


def test_scaling_only_waits_for_the_new_count(app: Any, action: Callable[..., ActionRun]) -> None:
    run = action({"service": "worker", "cluster": "demo", "desired-count": "4", **FAST})
    assert run.exit_code == 0, run.stdout
    result = only_service(run)
    assert result["outcome"] == "succeeded"
    assert result["reason"] == "4/4 tasks run after the scale"
    assert "no new deployment (only the desired count changed)" in run.stdout
    described = service_of(app, "worker")
    assert (described["desiredCount"], described["runningCount"]) == (4, 4)
