"""Task lifecycle: PROVISIONING -> PENDING -> RUNNING -> STOPPING -> STOPPED, with faults.

Everything here is driven by the ECS clock (clock.py); `advance` is called once per tick
for every task that is not STOPPED yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

from moto.core.utils import utcnow
from moto.ecs.models import Cluster, TaskDefinition

from . import clock
from .faults import Fault, FaultBook, FaultKind
from .task_model import EmulatedContainer, EmulatedTask, Launch, container_specs, new_task_id

if TYPE_CHECKING:
    from moto.ecs.models import EC2ContainerServiceBackend

ESSENTIAL_EXITED = "Essential container in task exited"
OOM_REASON = "OutOfMemoryError: Container killed due to memory usage"
HEALTH_CHECK_FAILED = "Task failed container health checks"


class LogSink(Protocol):
    """Where container output goes (CloudWatch Logs in the emulator, see logs.py)."""

    def write(self, task: EmulatedTask, container: str, lines: Iterable[str]) -> None: ...


def launch_task(
    backend: EC2ContainerServiceBackend,
    cluster: Cluster,
    definition: TaskDefinition,
    launch: Launch,
    faults: FaultBook,
    now: float,
) -> EmulatedTask:
    """Create a task in PROVISIONING and store it where moto keeps tasks."""
    task_id = new_task_id()
    created = utcnow()
    containers = [
        _container(definition, spec, task_id, faults.for_launch(spec))
        for spec in container_specs(definition)
    ]
    task = EmulatedTask(backend, cluster, definition, launch, containers, task_id, now, created)
    task.pull_seconds = max(
        (
            c.fault.pull_seconds
            for c in containers
            if c.fault is not None and c.fault.pull_seconds is not None
        ),
        default=clock.PULL,
    )
    for container in containers:
        container.task_arn = task.task_arn
        container.container_arn = (
            f"{task.task_arn.replace(':task/', ':container/')}/{container.name}"
        )
        container.network_interfaces = _container_interfaces(task)
    backend.tasks.setdefault(cluster.name, {})[task.task_arn] = task
    return task


def request_stop(task: EmulatedTask, now: float, stop_code: str, reason: str) -> None:
    """Ask the task to stop (StopTask, scale-in, a failed container). Idempotent."""
    if task.is_stopped or task.stop_requested_at is not None:
        return
    task.desired_status = "STOPPED"
    task.stop_requested_at = now
    task.stop_code = task.stop_code or stop_code
    task.stopped_reason = task.stopped_reason or reason
    task.stopping_at = utcnow()
    task.last_status = "DEACTIVATING" if task.running_since is not None else "STOPPING"


def advance(task: EmulatedTask, now: float, logs: LogSink) -> None:
    """Move one task on to where it should be at ECS time `now`."""
    if task.is_stopped:
        return
    if task.stop_requested_at is not None:
        if now >= task.stop_requested_at + clock.STOPPING:
            _finish_stop(task)
        elif task.last_status == "DEACTIVATING":
            task.last_status = "STOPPING"
        return
    elapsed = now - task.launched_at
    if task.last_status == "PROVISIONING" and elapsed >= clock.PROVISIONING:
        task.last_status = "PENDING"
        task.pull_started_at = utcnow()
    if task.last_status == "PENDING" and elapsed >= clock.PROVISIONING + task.pull_seconds:
        _start(task, now, logs)
    if task.last_status == "RUNNING":
        _run(task, now, logs)


def is_healthy(task: EmulatedTask, now: float) -> bool:
    """RUNNING long enough to count for a deployment, and not failing health checks."""
    return (
        task.last_status == "RUNNING"
        and task.stop_requested_at is None
        and task.running_since is not None
        and now - task.running_since >= clock.STABLE_AFTER
        and task.health_status != "UNHEALTHY"
    )


def placement_blocked(
    definition: TaskDefinition, faults: FaultBook, since_began: float | None = None
) -> bool:
    """A NEVER_PLACED fault on any container keeps the whole task from being placed; so does
    a PLACEMENT_DELAY fault until `since_began` (ECS seconds since the deployment began)
    reaches its seconds. Standalone tasks (since_began None) are not delayed."""
    found = faults.for_any(container_specs(definition))
    if Fault.NEVER_PLACED in found:
        return True
    return since_began is not None and any(
        f.kind is FaultKind.PLACEMENT_DELAY and since_began < float(f.seconds or 0) for f in found
    )


def _container(
    definition: TaskDefinition, spec: dict[str, Any], task_id: str, fault: Fault | None
) -> EmulatedContainer:
    memory = spec.get("memory") or spec.get("memoryReservation")
    return EmulatedContainer(
        container_arn="",
        task_arn="",
        name=str(spec.get("name", "")),
        image=str(spec.get("image", "")),
        essential=bool(spec.get("essential", True)),
        cpu=str(spec.get("cpu", 0)),
        memory=str(memory) if memory is not None else None,
        fault=fault,
        runtime_id=f"{task_id}-{spec.get('name', '')}",
    )


def _container_interfaces(task: EmulatedTask) -> list[dict[str, Any]]:
    for attachment in task.attachments:
        details = {d["name"]: d["value"] for d in attachment.get("details", [])}
        if "privateIPv4Address" in details:
            return [
                {
                    "attachmentId": attachment["id"],
                    "privateIpv4Address": details["privateIPv4Address"],
                }
            ]
    return []


def _start(task: EmulatedTask, now: float, logs: LogSink) -> None:
    task.pull_stopped_at = utcnow()
    blocker = next((c for c in task.containers if c.fault and c.fault.fails_to_start), None)
    if blocker is not None:
        reason = _start_failure_reason(blocker)
        blocker.reason = reason
        task.failed = True
        request_stop(task, now, "TaskFailedToStart", reason)
        return
    task.last_status = "RUNNING"
    task.running_since = now
    task.started_at = utcnow()
    for container in task.containers:
        container.last_status = "RUNNING"
        logs.write(task, container.name, _start_lines(container))


def _run(task: EmulatedTask, now: float, logs: LogSink) -> None:
    assert task.running_since is not None
    ran = now - task.running_since
    checked = _containers_with_health_checks(task)
    for container in task.containers:
        if container.last_status != "RUNNING":
            continue
        if container.fault == Fault.UNHEALTHY and ran >= clock.UNHEALTHY_AFTER:
            container.health_status = "UNHEALTHY"
            task.health_status = "UNHEALTHY"
            task.failed = True
            logs.write(task, container.name, ["GET /health 503 Service Unavailable"])
            request_stop(task, now, "ServiceSchedulerInitiated", HEALTH_CHECK_FAILED)
            return
        if container.name in checked and ran >= clock.UNHEALTHY_AFTER:
            container.health_status = "HEALTHY"
        exit_after = _exit_after(container, task.keep_running)
        if exit_after is not None and ran >= exit_after:
            _exit(task, container, now, logs)
    if checked and all(c.health_status == "HEALTHY" for c in task.containers if c.name in checked):
        task.health_status = "HEALTHY"


def _exit(task: EmulatedTask, container: EmulatedContainer, now: float, logs: LogSink) -> None:
    fault = container.fault
    code = 0
    if fault is not None and fault.kind is FaultKind.CRASH:
        code = 1
    elif fault is not None and fault.kind is FaultKind.OOM:
        code, container.reason = 137, OOM_REASON
    elif fault is not None and fault.kind is FaultKind.EXIT_CODE and fault.code is not None:
        code = fault.code
    logs.write(task, container.name, _exit_lines(fault, code))
    container.exit_code = code
    container.last_status = "STOPPED"
    if container.essential:
        # A service task whose essential container exits is a failed task for the breaker.
        task.failed = task.keep_running or code != 0
        request_stop(task, now, "EssentialContainerExited", ESSENTIAL_EXITED)


def _finish_stop(task: EmulatedTask) -> None:
    ran = task.running_since is not None
    for container in task.containers:
        if container.last_status != "STOPPED":
            container.last_status = "STOPPED"
            if ran and container.exit_code is None:
                container.exit_code = 0  # stopped with SIGTERM and exited cleanly
    task.last_status = "STOPPED"
    task.desired_status = "STOPPED"
    task.stopped_at = task.execution_stopped_at = utcnow()


def _exit_after(container: EmulatedContainer, keep_running: bool) -> float | None:
    fault = container.fault
    if fault is None:
        return None if keep_running else clock.JOB_DURATION
    if fault.kind in (FaultKind.CRASH, FaultKind.OOM):
        return clock.CRASH_AFTER
    if fault.kind is FaultKind.EXIT_CODE:
        return clock.JOB_DURATION
    return None  # KEEP_RUNNING, UNHEALTHY (stopped by health checks instead)


def _start_failure_reason(container: EmulatedContainer) -> str:
    fault = container.fault
    if fault is not None and fault.kind in (
        FaultKind.PULL_FAILURE,
        FaultKind.TRANSIENT_PULL_FAILURE,
    ):
        return pull_failure_reason(container.image, fault.cause)
    return (
        "ResourceInitializationError: unable to pull secrets or registry auth: "
        "execution resource retrieval failed: unable to retrieve secret from asm: "
        "service call has been retried 1 time(s): ResourceNotFoundException: "
        "Secrets Manager can't find the specified secret."
    )


def pull_failure_reason(image: str, cause: str | None) -> str:
    """The stoppedReason of a task whose container could not be pulled / started, by cause.

    - None / "not-found": the image does not exist (ECS developer guide, "CannotPullContainer
      task errors").
    - "toomanyrequests": Docker Hub's pull rate limit, HTTP 429, as AWS Knowledge Center
      "How do I resolve the error 'CannotPullContainerError: You have reached your pull rate
      limit' in Amazon ECS?" quotes it
      (https://repost.aws/knowledge-center/ecs-pull-container-error-rate-limit).
    - "timeout": the registry is unreachable for a while: "dial tcp ...:443: i/o timeout", as
      Fargate reports it (e.g. ActionIQ/terraform-aws-retool-ecs-fargate#20).
    - "capacity": Fargate has no capacity: "Capacity is unavailable at this time. Please try
      again later or in a different availability zone" (AWS Knowledge Center,
      https://repost.aws/knowledge-center/ecs-fargate-runtask-capacity).
    - "resource-init": the ECR auth call timed out while the task's resources were prepared:
      ResourceInitializationError "unable to pull secrets or registry auth: ... unable to
      retrieve ecr registry auth" with an i/o timeout, the shape users report for a Fargate
      task whose subnet briefly cannot reach ECR (the exact wording varies).
    """
    repository, _, tag = image.rpartition(":") if ":" in image else (image, "", "latest")
    if cause == "toomanyrequests":
        return (
            "CannotPullContainerError: inspect image has been retried 5 time(s): "
            "httpReaderSeeker: failed open: unexpected status code "
            f"https://registry-1.docker.io/v2/{repository}/manifests/{tag or 'latest'}: "
            "429 Too Many Requests - Server message: toomanyrequests: You have reached your "
            "pull rate limit. You may increase the limit by authenticating and upgrading: "
            "https://www.docker.com/increase-rate-limit"
        )
    if cause == "timeout":
        return (
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): "
            f"failed to resolve ref docker.io/{image}: failed to do request: Head "
            f'"https://registry-1.docker.io/v2/{repository}/manifests/{tag or "latest"}": '
            "dial tcp 54.236.113.205:443: i/o timeout"
        )
    if cause == "capacity":
        return (
            "Capacity is unavailable at this time. Please try again later or in a different "
            "availability zone"
        )
    if cause == "resource-init":
        return (
            "ResourceInitializationError: unable to pull secrets or registry auth: "
            "execution resource retrieval failed: unable to retrieve ecr registry auth: "
            "service call has been retried 3 time(s): RequestError: send request failed "
            'caused by: Post "https://api.ecr.us-east-1.amazonaws.com/": dial tcp '
            "52.46.150.12:443: i/o timeout"
        )
    return (
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): "
        f"failed to resolve ref {image}: {image}: not found"
    )


def _containers_with_health_checks(task: EmulatedTask) -> set[str]:
    return {
        str(spec.get("name"))
        for spec in container_specs(task.definition)
        if spec.get("healthCheck")
    }


def _start_lines(container: EmulatedContainer) -> list[str]:
    return [f"Starting {container.name} ({container.image})", "Listening on 0.0.0.0:8080"]


def _exit_lines(fault: Fault | None, code: int) -> list[str]:
    if fault is not None and fault.kind is FaultKind.CRASH:
        return ["Error: connection refused (ECONNREFUSED 10.0.0.12:5432)", "exiting with code 1"]
    if fault is not None and fault.kind is FaultKind.OOM:
        return ["fatal error: runtime: out of memory", "Killed"]
    return [f"exiting with code {code}"]
