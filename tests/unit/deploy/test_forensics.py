from typing import Any

from ecs_deploy.deploy.forensics import (
    awslogs_stream,
    group_stopped_tasks,
    is_startup_failure,
)


def task(task_id: str, stop_code: str, reason: str, *containers: dict[str, Any]) -> dict[str, Any]:
    return {
        "taskArn": f"arn:aws:ecs:us-east-1:1:task/demo/{task_id}",
        "stopCode": stop_code,
        "stoppedReason": reason,
        "containers": list(containers),
    }


CRASH = "Essential container in task exited"


def test_groups_tasks_by_cause_most_frequent_first() -> None:
    tasks = [
        task(
            "a",
            "EssentialContainerExited",
            CRASH,
            {"name": "app", "exitCode": 1},
            {"name": "log", "exitCode": 0},
        ),
        task(
            "b",
            "EssentialContainerExited",
            CRASH,
            {"name": "log", "exitCode": 0},
            {"name": "app", "exitCode": 1},
        ),
        task(
            "c",
            "EssentialContainerExited",
            CRASH,
            {
                "name": "app",
                "exitCode": 137,
                "reason": "OutOfMemoryError: Container killed due to memory usage",
            },
        ),
    ]
    groups = group_stopped_tasks(tasks, essential={"app"})
    assert [(g.count, g.container, g.exit_code) for g in groups] == [(2, "app", 1), (1, "app", 137)]
    assert groups[0].example_task_id == "a"
    assert groups[1].explanation is not None and "memory" in groups[1].explanation
    assert groups[0].describe() == f"{CRASH}; container app exited 1"


def test_startup_failures_are_recognised() -> None:
    pull = task(
        "p", "TaskFailedToStart", "CannotPullContainerError: manifest not found", {"name": "app"}
    )
    secret = task(
        "s",
        "TaskFailedToStart",
        "ResourceInitializationError: unable to pull secrets",
        {"name": "app"},
    )
    crash = task("c", "EssentialContainerExited", CRASH, {"name": "app", "exitCode": 1})
    assert is_startup_failure(pull) and is_startup_failure(secret)
    assert not is_startup_failure(crash)
    [group] = group_stopped_tasks([pull], essential={"app"})
    assert group.exit_code is None
    assert group.explanation is not None and "image could not be pulled" in group.explanation


def test_awslogs_stream_follows_the_task_definition() -> None:
    definition = {
        "containerDefinitions": [
            {
                "name": "app",
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {"awslogs-group": "/ecs/web", "awslogs-stream-prefix": "web"},
                },
            },
            {"name": "router", "logConfiguration": {"logDriver": "awsfirelens"}},
        ]
    }
    assert awslogs_stream(definition, "app", "abc") == ("/ecs/web", "web/app/abc")
    assert awslogs_stream(definition, "router", "abc") is None
    assert awslogs_stream(definition, "missing", "abc") is None
