"""Pre- and post-deploy tasks (migrations) through entrypoint.py on the emulator."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ecs_deploy.emulator import Fault
from tests.e2e.action import ActionRun
from tests.e2e.conftest import images_of, service_of

FAST = {"poll-interval": "0.2s", "timeout": "60s"}

APP = """\
version: v1
cluster: demo
services:
  - name: web
    task_definition: taskdefs/web.json
    containers: [app]
tasks:
  pre:
{pre}
  post:
{post}
"""
MIGRATE = """\
    - family: migrate
      containers: [migrate]
      network_from_service: web
      command: ["./manage.py", "migrate", "--noinput"]
      environment: {DJANGO_SECRET: do-not-print-this}
"""


def write_app(workspace: Path, pre: str = MIGRATE, post: str = "    []") -> None:
    text = APP.format(pre=pre.rstrip("\n") or "    []", post=post.rstrip("\n"))
    (workspace / "tasks-app.yml").write_text(text.replace("pre:\n    []", "pre: []"))


def seeded(app: Any, workspace: Path, **faults: Any) -> Any:
    app.seed(workspace / "tasks-app.yml")
    app.calls.clear()
    return app


def tasks_output(run: ActionRun) -> list[dict[str, Any]]:
    return list(json.loads(run.outputs["tasks"]))


def call_times(app: Any, operation: str) -> list[float]:
    return [c.at for c in app.calls.operations() if c.operation == operation]


def test_migration_succeeds_then_services_update(
    ecs_emulator: Any, workspace: Path, action: Callable[..., ActionRun]
) -> None:
    write_app(workspace)
    app = seeded(ecs_emulator, workspace)
    run = action({"config": "tasks-app.yml", "image-tag": "v2", **FAST})
    assert run.exit_code == 0, run.stdout + run.stderr
    [task] = tasks_output(run)
    assert (task["name"], task["phase"], task["outcome"]) == ("migrate", "pre", "succeeded")
    assert task["exit_codes"] == [{"migrate": 0}]
    assert json.loads(run.outputs["run-task-arn"]) == task["task_arns"]
    # The migration ran (and stopped) before any service changed.
    assert max(call_times(app, "RunTask")) < min(call_times(app, "UpdateService"))
    described = app.client("ecs").describe_tasks(cluster="demo", tasks=task["task_arns"])["tasks"][
        0
    ]
    assert described["lastStatus"] == "STOPPED"
    assert described["taskDefinitionArn"].endswith("migrate:2")  # re-rendered with the new tag
    assert described["overrides"]["containerOverrides"][0]["command"][-1] == "--noinput"
    assert run.outputs["outcome"] == "succeeded"
    assert "| migrate | pre | ✅ succeeded | migrate=0 |" in run.summary
    for text in (run.stdout, run.summary, json.dumps(run.outputs)):
        assert "do-not-print-this" not in text


def test_failed_migration_touches_no_service(
    ecs_emulator: Any, workspace: Path, action: Callable[..., ActionRun]
) -> None:
    write_app(workspace)
    app = seeded(ecs_emulator, workspace)
    app.faults.set_for_container("migrate", Fault.exit_code(1))
    before = service_of(app, "web")["taskDefinition"]
    run = action({"config": "tasks-app.yml", "image-tag": "v2", **FAST})
    assert run.exit_code == 1
    assert run.outputs["outcome"] == "failed"
    [task] = tasks_output(run)
    assert task["outcome"] == "failed"
    assert "container migrate of task" in task["reason"] and "exited 1" in task["reason"]
    assert app.calls.count("UpdateService") == 0
    assert service_of(app, "web")["taskDefinition"] == before
    [service] = json.loads(run.outputs["services"])
    assert service["outcome"] == "skipped"
    assert "pre-deploy task migrate failed" in service["reason"]
    assert "exiting with code 1" in run.summary  # the failing container's last log lines
    assert "::error::pre-deploy task migrate: failed" in run.stdout


def test_a_task_that_never_starts_is_a_failure(
    ecs_emulator: Any, workspace: Path, action: Callable[..., ActionRun]
) -> None:
    write_app(workspace)
    app = seeded(ecs_emulator, workspace)
    app.faults.set_for_container("migrate", Fault.PULL_FAILURE)
    run = action({"config": "tasks-app.yml", "image-tag": "v2", **FAST})
    assert run.exit_code == 1
    [task] = tasks_output(run)
    assert task["outcome"] == "failed"
    assert "failed to start" in task["reason"] and "CannotPullContainerError" in task["reason"]
    assert task["exit_codes"] == [{"migrate": None}]
    assert app.calls.count("UpdateService") == 0


def test_run_task_failures_are_failures(
    ecs_emulator: Any, workspace: Path, action: Callable[..., ActionRun]
) -> None:
    write_app(workspace)
    app = seeded(ecs_emulator, workspace)
    app.faults.set_run_task_capacity_missing(True)
    run = action({"config": "tasks-app.yml", "image-tag": "v2", **FAST})
    assert run.exit_code == 1
    [task] = tasks_output(run)
    assert task["outcome"] == "failed"
    assert task["reason"].startswith("RunTask started 0 of 1 tasks: ")
    assert app.calls.count("UpdateService") == 0


def test_every_essential_container_of_every_task_counts(
    ecs_emulator: Any, workspace: Path, action: Callable[..., ActionRun]
) -> None:
    write_app(
        workspace,
        pre="    - family: batch\n      count: 2\n      network_from_service: web\n",
    )
    app = seeded(ecs_emulator, workspace)
    container = {"image": "public.ecr.aws/docker/library/busybox:1.36", "essential": True}
    app.client("ecs").register_task_definition(
        family="batch",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "first", **container}, {"name": "second", **container}],
    )
    app.faults.set_for_container("second", Fault.exit_code(3))
    run = action({"config": "tasks-app.yml", **FAST})
    assert run.exit_code == 1
    [task] = tasks_output(run)
    assert task["exit_codes"] == [{"first": 0, "second": 3}, {"first": 0, "second": 3}]
    assert "container second of task" in task["reason"] and "exited 3" in task["reason"]


def test_timeout_stops_the_task(
    ecs_emulator: Any, workspace: Path, action: Callable[..., ActionRun]
) -> None:
    write_app(workspace)
    app = seeded(ecs_emulator, workspace)
    app.faults.set_for_container("migrate", Fault.KEEP_RUNNING)
    run = action({"config": "tasks-app.yml", "timeout": "2s", "poll-interval": "0.2s"})
    assert run.exit_code == 1
    [task] = tasks_output(run)
    assert task["outcome"] == "timed_out"
    assert app.calls.count("StopTask") == 1
    assert app.calls.count("UpdateService") == 0
    described = app.client("ecs").describe_tasks(cluster="demo", tasks=task["task_arns"])["tasks"][
        0
    ]
    assert described["stopCode"] == "UserInitiated"
    assert "timed out" in described["stoppedReason"]


def test_post_task_failure_after_services_succeeded(
    ecs_emulator: Any, workspace: Path, action: Callable[..., ActionRun]
) -> None:
    write_app(
        workspace,
        pre="",
        post="    - family: cleanup\n      network_from_service: web\n",
    )
    app = seeded(ecs_emulator, workspace)
    app.faults.set_for_container("cleanup", Fault.exit_code(2))
    run = action({"config": "tasks-app.yml", "image-tag": "v2", **FAST})
    assert run.exit_code == 1
    assert run.outputs["outcome"] == "failed"
    [service] = json.loads(run.outputs["services"])
    assert service["outcome"] == "succeeded"
    [task] = tasks_output(run)
    assert (task["phase"], task["outcome"]) == ("post", "failed")
    assert "the services WERE updated" in run.stdout
    assert max(call_times(app, "UpdateService")) < min(call_times(app, "RunTask"))


def test_depends_on_orders_tasks_and_skips_after_a_failure(
    ecs_emulator: Any, workspace: Path, action: Callable[..., ActionRun]
) -> None:
    pre = (
        "    - family: migrate\n      network_from_service: web\n"
        "    - family: seed-data\n      network_from_service: web\n      depends_on: [migrate]\n"
        "    - family: assets\n      network_from_service: web\n"
    )
    write_app(workspace, pre=pre)
    app = seeded(ecs_emulator, workspace)
    app.faults.set_for_container("migrate", Fault.exit_code(1))
    run = action({"config": "tasks-app.yml", **FAST})
    outcomes = {t["name"]: t["outcome"] for t in tasks_output(run)}
    assert outcomes == {"migrate": "failed", "seed-data": "skipped", "assets": "succeeded"}
    assert app.calls.count("RunTask") == 2


def test_skip_pre_tasks(
    ecs_emulator: Any, workspace: Path, action: Callable[..., ActionRun]
) -> None:
    write_app(workspace)
    app = seeded(ecs_emulator, workspace)
    run = action({"config": "tasks-app.yml", "image-tag": "v2", "skip-pre-tasks": "true", **FAST})
    assert run.exit_code == 0
    assert app.calls.count("RunTask") == 0
    assert tasks_output(run) == []


def test_official_run_task_inputs(app: Any, action: Callable[..., ActionRun]) -> None:
    seededinfo = app.client("ec2").describe_subnets()["Subnets"][0]
    group = app.client("ec2").describe_security_groups()["SecurityGroups"][0]["GroupId"]
    run = action(
        {
            "task-definition": "taskdefs/web.json",
            "service": "web",
            "cluster": "demo",
            "container-name": "app",
            "image": "registry.example.com:5000/team/web:3.0",
            "run-task": "true",
            "run-task-subnets": seededinfo["SubnetId"],
            "run-task-security-groups": group,
            "run-task-container-overrides": json.dumps(
                [{"name": "app", "command": ["bin/migrate"]}]
            ),
            "run-task-tags": json.dumps([{"key": "purpose", "value": "migration"}]),
            "wait-for-task-stopped": "true",
            **FAST,
        }
    )
    assert run.exit_code == 0, run.stdout + run.stderr
    [arn] = json.loads(run.outputs["run-task-arn"])
    described = app.client("ecs").describe_tasks(cluster="demo", tasks=[arn], include=["TAGS"])
    task = described["tasks"][0]
    assert task["startedBy"] == "GitHub-Actions"
    assert task["launchType"] == "FARGATE"
    assert task["taskDefinitionArn"] == run.outputs["task-definition-arn"]
    assert task["overrides"]["containerOverrides"][0]["command"] == ["bin/migrate"]
    # The task and the service share one new revision.
    assert app.calls.count("RegisterTaskDefinition") == 1


def test_bad_task_input_changes_nothing(app: Any, action: Callable[..., ActionRun]) -> None:
    run = action(
        {
            "service": "web",
            "cluster": "demo",
            "force-new-deployment": "true",
            "run-task": "true",
            "run-task-container-overrides": "[not json",
        }
    )
    assert run.exit_code == 2
    assert "run-task-container-overrides: not valid JSON" in run.stdout
    assert app.calls.mutating() == []


def test_image_tag_changes_only_the_containers_a_task_names(
    ecs_emulator: Any, workspace: Path, action: Callable[..., ActionRun]
) -> None:
    """A one-container migration image (flyway/flyway:10) is not the application's image."""
    write_app(workspace, pre="    - family: flyway\n      network_from_service: web\n")
    app = seeded(ecs_emulator, workspace)
    run = action({"config": "tasks-app.yml", "image-tag": "v2", **FAST})
    assert run.exit_code == 0, run.stdout + run.stderr
    [task] = tasks_output(run)
    described = app.client("ecs").describe_tasks(cluster="demo", tasks=task["task_arns"])
    flyway = described["tasks"][0]["taskDefinitionArn"]
    assert flyway.endswith("flyway:1")  # reused, not re-registered with the tag
    assert images_of(app, flyway) == {"flyway": "public.ecr.aws/docker/library/nginx:1.27"}
    assert app.calls.count("RegisterTaskDefinition") == 1  # web's new revision only


def test_a_failed_task_s_log_tail_is_read_in_its_awslogs_region(
    ecs_emulator: Any, workspace: Path, action: Callable[..., ActionRun]
) -> None:
    write_app(workspace, pre="    - family: migrate\n      network_from_service: web\n")
    app = seeded(ecs_emulator, workspace)
    ecs = app.client("ecs")
    live = ecs.describe_task_definition(taskDefinition="migrate")["taskDefinition"]
    [container] = live["containerDefinitions"]
    container["logConfiguration"]["options"]["awslogs-region"] = "eu-west-1"
    ecs.register_task_definition(
        family="migrate",
        networkMode=live["networkMode"],
        requiresCompatibilities=live["requiresCompatibilities"],
        cpu=live["cpu"],
        memory=live["memory"],
        containerDefinitions=[container],
    )
    app.faults.set_for_container("migrate", Fault.exit_code(1))
    run = action({"config": "tasks-app.yml", **FAST})
    assert run.exit_code == 1
    [task] = tasks_output(run)
    assert task["outcome"] == "failed"
    assert "exiting with code 1" in run.summary  # read from eu-west-1, not us-east-1
    assert "no log stream" not in run.summary
