"""Rolling deployments: PRIMARY/ACTIVE, tasks started and drained, COMPLETED, events."""

from __future__ import annotations

from .support import World, wait_for


def test_create_service_starts_tasks_and_completes(world: World) -> None:
    arn = world.register("web", {"name": "app", "image": "app:1"}, {"name": "side", "image": "s:1"})
    created = world.create_service("web", arn)
    first = created["deployments"][0]
    assert first["status"] == "PRIMARY" and first["rolloutState"] == "IN_PROGRESS"
    assert first["id"].startswith("ecs-svc/") and len(first["id"]) == len("ecs-svc/") + 19
    assert created["deploymentConfiguration"]["deploymentCircuitBreaker"]["rollback"] is True

    service = world.steady("web")
    assert service["runningCount"] == 2 and service["pendingCount"] == 0
    assert service["deployments"][0]["id"] == first["id"]
    running = world.tasks(serviceName="web")
    assert len(running) == 2
    for task in running:
        assert task["group"] == "service:web"
        assert task["startedBy"] == first["id"]
        assert task["taskDefinitionArn"] == arn
        assert task["lastStatus"] == "RUNNING"
        assert [(c["name"], c["image"], c["lastStatus"]) for c in task["containers"]] == [
            ("app", "app:1", "RUNNING"),
            ("side", "s:1", "RUNNING"),
        ]
    messages = world.messages("web")
    assert messages[0] == "(service web) has reached a steady state."
    assert messages[1] == f"(service web) (deployment {first['id']}) deployment completed."
    assert messages[2].startswith("(service web) has started 2 tasks: (task ")


def test_update_service_creates_a_primary_that_replaces_the_old_tasks(world: World) -> None:
    old = world.register("web", {"name": "app", "image": "app:1"})
    world.create_service("web", old)
    before = world.steady("web")
    old_task_arns = {t["taskArn"] for t in world.tasks(serviceName="web")}
    new = world.register("web", {"name": "app", "image": "app:2"})

    updated = world.ecs.update_service(cluster="demo", service="web", taskDefinition=new)["service"]

    primary, active = updated["deployments"]
    assert (primary["status"], primary["rolloutState"], primary["taskDefinition"]) == (
        "PRIMARY",
        "IN_PROGRESS",
        new,
    )
    assert primary["id"] != before["deployments"][0]["id"]
    assert {"desiredCount", "runningCount", "pendingCount", "failedTasks", "createdAt"} <= set(
        primary
    )
    assert (active["status"], active["taskDefinition"]) == ("ACTIVE", old)
    assert updated["taskDefinition"] == new

    after = world.steady("web")
    assert [d["id"] for d in after["deployments"]] == [primary["id"]]
    assert after["taskDefinition"] == new and after["runningCount"] == 2
    running = world.tasks(serviceName="web")
    assert {t["startedBy"] for t in running} == {primary["id"]}
    assert {t["taskDefinitionArn"] for t in running} == {new}
    stopped = world.tasks(serviceName="web", desiredStatus="STOPPED")
    assert {t["taskArn"] for t in stopped} == old_task_arns
    for task in stopped:
        assert (
            task["stoppedReason"] == f"Scaling activity initiated by (deployment {primary['id']})"
        )
    messages = world.messages("web")
    assert any(m.startswith("(service web) has stopped 2 running tasks: (task ") for m in messages)
    assert f"(service web) (deployment {primary['id']}) deployment completed." in messages


def test_force_new_deployment_starts_a_new_deployment_of_the_same_revision(world: World) -> None:
    arn = world.register("web", {"name": "app", "image": "app:1"})
    world.create_service("web", arn)
    first = world.steady("web")["deployments"][0]["id"]

    updated = world.ecs.update_service(cluster="demo", service="web", forceNewDeployment=True)
    primary = updated["service"]["deployments"][0]
    assert primary["id"] != first and primary["taskDefinition"] == arn
    assert world.steady("web")["deployments"][0]["id"] == primary["id"]


def test_update_without_changes_starts_no_deployment(world: World) -> None:
    arn = world.register("web", {"name": "app", "image": "app:1"})
    world.create_service("web", arn)
    world.steady("web")
    updated = world.ecs.update_service(cluster="demo", service="web", taskDefinition=arn)
    assert len(updated["service"]["deployments"]) == 1


def test_desired_count_change_scales_the_service(world: World) -> None:
    arn = world.register("web", {"name": "app", "image": "app:1"})
    world.create_service("web", arn, desiredCount=1)
    world.steady("web")
    world.ecs.update_service(cluster="demo", service="web", desiredCount=3)
    wait_for(lambda: world.service("web")["runningCount"] == 3, what="scale out to 3")
    world.ecs.update_service(cluster="demo", service="web", desiredCount=0)
    wait_for(lambda: world.service("web")["runningCount"] == 0, what="scale in to 0")
    assert world.tasks(serviceName="web") == []


def test_list_tasks_filters_by_service_and_desired_status(world: World) -> None:
    arn = world.register("web", {"name": "app", "image": "app:1"})
    world.create_service("web", arn)
    world.create_service("api", arn, desiredCount=1)
    world.steady("web")
    world.steady("api")
    assert len(world.tasks(serviceName="web")) == 2
    assert len(world.tasks(serviceName="api")) == 1
    assert len(world.tasks()) == 3
    assert world.tasks(serviceName="web", desiredStatus="STOPPED") == []


def test_deployment_respects_maximum_percent(world: World) -> None:
    old = world.register("web", {"name": "app", "image": "app:1"})
    world.create_service(
        "web",
        old,
        desiredCount=4,
        deploymentConfiguration={"maximumPercent": 150, "minimumHealthyPercent": 50},
    )
    world.steady("web")
    new = world.register("web", {"name": "app", "image": "app:2"})
    world.ecs.update_service(cluster="demo", service="web", taskDefinition=new)
    peak = 0

    def done() -> bool:
        nonlocal peak
        service = world.service("web")
        peak = max(peak, sum(d["runningCount"] + d["pendingCount"] for d in service["deployments"]))
        return len(service["deployments"]) == 1 and service["taskDefinition"] == new

    wait_for(done, what="rollout with maximumPercent 150")
    assert peak <= 6
