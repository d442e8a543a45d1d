"""Explain a failed deployment: stopped tasks grouped by cause, events, log tails, console links."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ecs_deploy.aws.ecs import EcsApi
from ecs_deploy.aws.logs import LogsApi, LogsUnavailable
from ecs_deploy.results import Forensics, LogTail, StoppedTaskGroup

MAX_LOG_TAILS = 3  # one per distinct failure is what a person reads; more is noise

_EXIT_CODES = {
    137: "killed (SIGKILL): usually out of memory; raise the container's memory or find the leak",
    139: "segmentation fault",
    143: "stopped by SIGTERM",
    1: "the application exited with an error (see its last log lines)",
}
_REASONS = (
    ("OutOfMemoryError", "the container used more memory than its limit"),
    (
        "CannotPullContainerError",
        "the image could not be pulled: check that the tag exists and "
        "the task execution role may pull from the registry",
    ),
    (
        "ResourceInitializationError",
        "ECS could not prepare the task (secrets, SSM parameters, "
        "registry auth or log group): check the execution role and the ARNs it reads",
    ),
    (
        "failed container health checks",
        "the container's health check failed: check the "
        "healthCheck command and the application's start-up time (startPeriod)",
    ),
    (
        "ELB health checks",
        "the load balancer found the task unhealthy: check the target "
        "group's health check path and port",
    ),
)


def explain(exit_code: int | None, *reasons: str | None) -> str | None:
    for marker, explanation in _REASONS:
        if any(reason and marker in reason for reason in reasons):
            return explanation
    if exit_code is not None:
        return _EXIT_CODES.get(exit_code)
    return None


def failed_container(task: Mapping[str, Any], essential: set[str]) -> Mapping[str, Any] | None:
    """The container to blame: an essential one with a reason or a non-zero exit code."""
    containers = list(task.get("containers") or [])
    ranked = sorted(
        containers,
        key=lambda c: (
            c.get("name") not in essential,
            not c.get("reason") and c.get("exitCode") in (None, 0),
        ),
    )
    return ranked[0] if ranked else None


def group_stopped_tasks(
    tasks: Iterable[Mapping[str, Any]], essential: set[str]
) -> tuple[StoppedTaskGroup, ...]:
    """Tasks that failed the same way counted together, the most frequent cause first."""
    groups: Counter[tuple[Any, ...]] = Counter()
    examples: dict[tuple[Any, ...], str] = {}
    for task in tasks:
        container = failed_container(task, essential) or {}
        key = (
            task.get("stopCode"),
            task.get("stoppedReason"),
            container.get("name"),
            container.get("reason"),
            container.get("exitCode"),
        )
        groups[key] += 1
        examples.setdefault(key, task_id(task))
    return tuple(
        StoppedTaskGroup(
            count=count,
            stop_code=key[0],
            stopped_reason=key[1],
            container=key[2],
            container_reason=key[3],
            exit_code=key[4],
            explanation=explain(key[4], key[1], key[3]),
            example_task_id=examples[key],
        )
        for key, count in groups.most_common()
    )


def task_id(task: Mapping[str, Any]) -> str:
    return str(task.get("taskArn", "")).rsplit("/", 1)[-1]


def essential_containers(task_definition: Mapping[str, Any]) -> set[str]:
    return {
        str(c["name"])
        for c in task_definition.get("containerDefinitions") or []
        if c.get("essential", True)
    }


def awslogs_stream(
    task_definition: Mapping[str, Any], container: str, task: str
) -> tuple[str, str] | None:
    """(group, stream) of a container's awslogs output, from its task definition."""
    for definition in task_definition.get("containerDefinitions") or []:
        if definition.get("name") != container:
            continue
        config = definition.get("logConfiguration") or {}
        options = config.get("options") or {}
        if config.get("logDriver") != "awslogs" or "awslogs-group" not in options:
            return None
        prefix = options.get("awslogs-stream-prefix")
        if not prefix:
            return None  # without a prefix the stream is named after the container id
        return str(options["awslogs-group"]), f"{prefix}/{container}/{task}"
    return None


def awslogs_region(task_definition: Mapping[str, Any], container: str) -> str | None:
    """The region a container's awslogs output goes to, when its task definition says."""
    for definition in task_definition.get("containerDefinitions") or []:
        if definition.get("name") == container:
            options = (definition.get("logConfiguration") or {}).get("options") or {}
            region = options.get("awslogs-region")
            return str(region) if region else None
    return None


def read_log_tail(
    logs: LogsApi, task_definition: Mapping[str, Any], container: str, task: str
) -> LogTail | None:
    """The last lines a container of `task` wrote; None when it does not log to awslogs.

    Lines that cannot be read (no permission, no stream yet) give a tail saying why.
    """
    where = awslogs_stream(task_definition, container, task)
    if where is None:
        return None
    location = f"{where[0]}/{where[1]}"
    try:
        lines = logs.tail(*where, region=awslogs_region(task_definition, container))
    except LogsUnavailable as exc:
        return LogTail(container, task, location, unavailable=str(exc), denied=exc.denied)
    return LogTail(container, task, location, tuple(lines))


def cluster_name(cluster: str) -> str:
    """The name of a cluster given by name or ARN (arn:aws:ecs:REGION:ACCOUNT:cluster/NAME)."""
    return cluster.rsplit("/", 1)[-1] if cluster.startswith("arn:") else cluster


def console_links(
    region: str, cluster: str, service: str, task_ids: Sequence[str]
) -> tuple[tuple[str, str], ...]:
    # The console's paths take the cluster's name; an ARN there is a broken link.
    base = f"https://{region}.console.aws.amazon.com/ecs/v2/clusters/{cluster_name(cluster)}"
    links = [("service deployments", f"{base}/services/{service}/deployments?region={region}")]
    links += [
        (f"task {tid}", f"{base}/tasks/{tid}/configuration?region={region}") for tid in task_ids
    ]
    return tuple(links)


def collect(
    *,
    ecs: EcsApi,
    logs: LogsApi | None,
    cluster: str,
    service: str,
    stopped_tasks: Sequence[Mapping[str, Any]],
    task_definition: Mapping[str, Any],
    events: Sequence[str],
) -> Forensics:
    """Gather what explains the failure; every source that is unavailable becomes a note."""
    essential = essential_containers(task_definition)
    groups = group_stopped_tasks(stopped_tasks, essential)
    tails: list[LogTail] = []
    notes: list[str] = []
    for group in groups[:MAX_LOG_TAILS]:
        if not group.container or not group.example_task_id:
            continue
        if awslogs_stream(task_definition, group.container, group.example_task_id) is None:
            notes.append(f"{group.container} does not log to CloudWatch (awslogs): no log tail")
            continue
        if logs is None:
            continue
        tail = read_log_tail(logs, task_definition, group.container, group.example_task_id)
        if tail is not None:
            tails.append(tail)
    example_ids = [g.example_task_id for g in groups[:MAX_LOG_TAILS] if g.example_task_id]
    return Forensics(
        stopped_tasks=groups,
        events=tuple(events),
        logs=tuple(tails),
        links=console_links(ecs.region, cluster, service, example_ids),
        notes=tuple(notes),
    )
