from typing import Any

from ecs_deploy.aws.state import EcsTask
from ecs_deploy.deploy.forensics import (
    awslogs_stream,
    group_stopped_tasks,
)
from ecs_deploy.deploy.startup import StartFailure, classify


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
    kinds = [classify(EcsTask.from_api(t)) for t in (pull, secret, crash)]
    assert kinds == [StartFailure.PERMANENT, StartFailure.RETRIED, StartFailure.NONE]
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


def test_console_links_use_the_cluster_s_name_when_given_its_arn() -> None:
    from ecs_deploy.deploy.forensics import console_links

    arn = "arn:aws:ecs:eu-west-1:123456789012:cluster/prod"
    [(_, service), (_, task_link)] = console_links("eu-west-1", arn, "web", ["abc"])
    base = "https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/prod/"
    assert service == f"{base}services/web/deployments?region=eu-west-1"
    assert task_link == f"{base}tasks/abc/configuration?region=eu-west-1"


class RecordingLogs:
    def __init__(self) -> None:
        self.reads: list[tuple[str, str, str | None]] = []

    def tail(
        self, group: str, stream: str, *, lines: int = 20, region: str | None = None
    ) -> list[str]:
        self.reads.append((group, stream, region))
        return ["line"]


def test_a_log_tail_is_read_where_awslogs_sends_it() -> None:
    from ecs_deploy.deploy.forensics import read_log_tail
    from ecs_deploy.results import LogTail

    options = {
        "awslogs-group": "/ecs/web",
        "awslogs-stream-prefix": "web",
        "awslogs-region": "eu-west-1",
    }
    definition = {
        "containerDefinitions": [
            {"name": "app", "logConfiguration": {"logDriver": "awslogs", "options": options}},
            {"name": "router"},
        ]
    }
    logs = RecordingLogs()
    tail = read_log_tail(logs, definition, "app", "abc")  # type: ignore[arg-type]
    assert tail == LogTail("app", "abc", "/ecs/web/web/app/abc", ("line",))
    assert logs.reads == [("/ecs/web", "web/app/abc", "eu-west-1")]
    assert read_log_tail(logs, definition, "router", "abc") is None  # type: ignore[arg-type]
