"""The deployment circuit breaker: FAILED, rollback, crash loops without it, the stall."""

from __future__ import annotations

from ecs_deploy.emulator import Emulator, Fault

from .support import CLUSTER, World, wait_for


def _record(world: World, deployment_id: str) -> dict:
    """Our service deployment once the breaker rolled it back (DescribeServiceDeployments)."""
    arn = (
        f"arn:aws:ecs:us-east-1:123456789012:service-deployment/{CLUSTER}/web/"
        f"{deployment_id.split('/')[-1]}"
    )

    def rolled_back() -> dict | None:
        found = world.ecs.describe_service_deployments(serviceDeploymentArns=[arn])
        record = found["serviceDeployments"][0]
        rolling = record["status"] in ("ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL")
        return dict(record) if rolling else None

    return wait_for(rolled_back, what=f"{deployment_id} rolled back")


def test_crashing_revision_trips_the_breaker_and_rolls_back(
    world: World, ecs_emulator: Emulator
) -> None:
    good = world.register("web", {"name": "app", "image": "app:1"})
    world.create_service("web", good)
    completed_id = world.steady("web")["deployments"][0]["id"]
    ecs_emulator.faults.set_for_image("app:bad", Fault.CRASH)
    bad = world.register("web", {"name": "app", "image": "app:bad"})
    ours = world.ecs.update_service(cluster="demo", service="web", taskDefinition=bad)["service"][
        "deployments"
    ][0]["id"]

    # ECS drops the FAILED deployment from deployments[] as soon as none of its tasks runs
    # (modes.py): a client may never see it there. The service deployment keeps the outcome.
    record = _record(world, ours)
    assert record["status"] in ("ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL")
    assert record["rollback"]["reason"] == "ECS deployment circuit breaker: tasks failed to start."
    assert record["deploymentCircuitBreaker"]["failureCount"] >= 3
    assert any(c.deployment_id == ours and c.value == "FAILED" for c in ecs_emulator.history)
    rollback = next(
        d for d in world.service("web")["deployments"] if d["id"] not in (ours, completed_id)
    )
    assert rollback["taskDefinition"] == good
    assert rollback["rolloutStateReason"] == (
        f"ECS deployment circuit breaker: rolling back to deploymentId {completed_id}."
    )

    service = world.steady("web")
    assert service["taskDefinition"] == good
    assert service["deployments"][0]["id"] == rollback["id"]
    assert (
        f"(service web) (deployment {ours}) deployment failed: tasks failed to start."
        in world.messages("web")
    )
    crashed = [
        t for t in world.tasks(serviceName="web", desiredStatus="STOPPED") if t["startedBy"] == ours
    ]
    assert crashed and all(t["stopCode"] == "EssentialContainerExited" for t in crashed)


def test_threshold_scales_with_desired_count(world: World, ecs_emulator: Emulator) -> None:
    ecs_emulator.faults.set_for_image("app:bad", Fault.CRASH)
    good = world.register("web", {"name": "app", "image": "app:1"})
    world.create_service("web", good, desiredCount=10)
    world.steady("web")
    bad = world.register("web", {"name": "app", "image": "app:bad"})
    answer = world.ecs.update_service(cluster="demo", service="web", taskDefinition=bad)
    ours = answer["service"]["deployments"][0]["id"]
    record = _record(world, ours)
    assert record["deploymentCircuitBreaker"]["threshold"] == 5
    assert record["deploymentCircuitBreaker"]["failureCount"] >= 5


def test_without_a_breaker_a_crash_loop_goes_on(world: World, ecs_emulator: Emulator) -> None:
    ecs_emulator.faults.set_for_image("app:bad", Fault.CRASH)
    good = world.register("web", {"name": "app", "image": "app:1"})
    world.create_service("web", good, breaker=False)
    world.steady("web")
    bad = world.register("web", {"name": "app", "image": "app:bad"})
    world.ecs.update_service(cluster="demo", service="web", taskDefinition=bad)

    primary = wait_for(
        lambda: (d := world.service("web")["deployments"][0])["failedTasks"] >= 8 and d,
        what="8 failed tasks",
    )
    assert primary["rolloutState"] == "IN_PROGRESS"
    service = world.service("web")
    assert len(service["deployments"]) == 2
    assert service["runningCount"] >= 2  # the old tasks keep serving


def test_with_no_completed_deployment_the_breaker_stalls(
    world: World, ecs_emulator: Emulator
) -> None:
    ecs_emulator.faults.set_for_image("app:bad", Fault.CRASH)
    bad = world.register("web", {"name": "app", "image": "app:bad"})
    world.create_service("web", bad)
    failed = wait_for(
        lambda: (d := world.service("web")["deployments"][0])["rolloutState"] == "FAILED" and d,
        what="first deployment FAILED",
    )
    ticks = ecs_emulator.ticks
    wait_for(lambda: ecs_emulator.ticks >= ticks + 20, what="20 more ticks")
    service = world.service("web")
    assert [d["id"] for d in service["deployments"]] == [failed["id"]]
    assert service["deployments"][0]["rolloutState"] == "FAILED"
    assert service["runningCount"] == 0
