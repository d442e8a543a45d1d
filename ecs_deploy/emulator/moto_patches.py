"""Every correction the emulator makes to moto's ECS backend, one method per moto behaviour.

The patch is per backend instance: `patch_ecs_backend` swaps the instance's class to
`EmulatedEcsBackend`. moto's module-level classes stay untouched, so code in the same process
that uses moto directly (`mock_aws`) keeps moto's own behaviour. Other gaps (parameters moto's
request parser drops, operations moto lacks) are filled in hooks.py at the HTTP layer.
"""

from __future__ import annotations

from typing import Any

import moto.ecs.urls
from moto.core.utils import utcnow
from moto.ecs.exceptions import (
    InvalidParameterException,
    TaskDefinitionMemoryError,
    TaskDefinitionMissingPropertyError,
)
from moto.ecs.models import EC2ContainerServiceBackend, Service, Task

from . import tasks
from .actions import service_tasks
from .deployments import primary_of, runtime_of, start_deployment
from .runtime import EmulatorRuntime
from .service_deployments import open_record
from .services import refresh_counts
from .task_model import EmulatedTask, Launch

CODE_DEPLOY_UPDATE = (
    "Unable to update task definition on services with a CODE_DEPLOY deployment controller. "
    "Use AWS CodeDeploy to trigger a new deployment."
)


class EmulatedEcsBackend(EC2ContainerServiceBackend):
    emulator_runtime: EmulatorRuntime

    @property
    def _url_module(self) -> Any:
        # moto finds a backend's URL routes from its class's module name; ours lives elsewhere.
        return moto.ecs.urls

    def create_service(self, *args: Any, **kwargs: Any) -> Service:
        # moto: the first deployment gets a short random id and, with MOTO_ECS_SERVICE_RUNNING,
        # is COMPLETED without any task. Here it starts IN_PROGRESS with no tasks; the
        # scheduler starts them. (deploymentConfiguration, which moto's parser drops, is
        # restored in hooks.py.) moto also crashes (HTTP 500) on awsvpc without securityGroups,
        # which ECS accepts (the VPC's default group is used).
        given: dict[str, Any] | None = kwargs.get("network_configuration")
        vpc_config = (given or {}).get("awsvpcConfiguration")
        if given is not None and vpc_config is not None and "securityGroups" not in vpc_config:
            kwargs["network_configuration"] = {
                **given,
                "awsvpcConfiguration": {**vpc_config, "securityGroups": []},
            }
        service = super().create_service(*args, **kwargs)
        if given is not None:
            service.network_configuration = given
        service.created_at = utcnow()  # type: ignore[attr-defined]
        service.deployments = []
        runtime_of(service).env = self.emulator_runtime
        if service.task_definition and service.deployment_controller.get("type") == "ECS":
            open_record(service, start_deployment(service, service.task_definition))
        refresh_counts(service, [])
        return service

    def update_service(self, service_properties: dict[str, Any]) -> Service:
        # moto: a new task definition only changes service.taskDefinition (no new PRIMARY),
        # forceNewDeployment rewrites the existing deployment's id in place, and a new
        # desiredCount is reported as already running. Here a new PRIMARY deployment starts.
        props = dict(service_properties)
        force = bool(props.pop("force_new_deployment", False))
        current = self._get_service(
            props.get("cluster") or "default", str(props.get("service", "")).split("/")[-1]
        )
        requested = props.get("task_definition")
        controller = current.deployment_controller.get("type", "ECS")
        if requested and controller == "CODE_DEPLOY":
            raise InvalidParameterException(CODE_DEPLOY_UPDATE)
        new_arn = self.describe_task_definition(requested).arn if requested else None
        primary = primary_of(current)
        service = super().update_service(props)
        if new_arn is not None:
            service.task_definition = new_arn  # moto stores the string as given
        changed = new_arn is not None and (primary is None or new_arn != primary["taskDefinition"])
        runtime_of(service).env = self.emulator_runtime
        if controller == "ECS" and service.task_definition and (force or changed):
            open_record(service, start_deployment(service, service.task_definition))
        refresh_counts(service, service_tasks(self, service))
        return service

    def run_task(
        self,
        cluster_str: str,
        task_definition_str: str,
        count: int,
        overrides: dict[str, Any] | None,
        started_by: str,
        tags: list[dict[str, str]] | None,
        launch_type: str | None,
        networking_configuration: dict[str, Any] | None = None,
        group: str | None = None,
        platform_version: str | None = None,
        capacity_provider_strategy: list[dict[str, Any]] | None = None,
    ) -> list[Task]:
        # moto: models only the first container, crashes (HTTP 500) without securityGroups,
        # for containers without memory, for a VPC without DNS hostnames and for EC2 without
        # container instances. Here every container is modelled and no such crash happens;
        # EC2 tasks are placed as if capacity existed (container instances are not modelled).
        if launch_type and capacity_provider_strategy:
            raise InvalidParameterException(
                "Specify either Launch Type or Capacity Provider Strategy, but not both."
            )
        if launch_type and launch_type not in ("EC2", "FARGATE", "EXTERNAL"):
            raise InvalidParameterException("launch type should be one of [EC2,FARGATE,EXTERNAL]")
        cluster = self._get_cluster(cluster_str)
        definition = self.describe_task_definition(task_definition_str)
        if definition.network_mode == "awsvpc" and not networking_configuration:
            raise InvalidParameterException(
                "Network Configuration must be provided when networkMode 'awsvpc' is specified."
            )
        provider = (capacity_provider_strategy or [{}])[0].get("capacityProvider")
        launch = Launch(
            group=group or f"family:{definition.family}",
            started_by=started_by or "",
            launch_type=launch_type or ("FARGATE" if provider in (None, "FARGATE") else "EC2"),
            network_configuration=networking_configuration,
            overrides=overrides,
            tags=tags,
            platform_version=platform_version,
            capacity_provider_name=provider,
        )
        rt = self.emulator_runtime
        return [
            tasks.launch_task(self, cluster, definition, launch, rt.faults, rt.clock.now)
            for _ in range(max(count, 1))
        ]

    def stop_task(self, cluster_str: str, task_str: str, reason: str) -> Task:
        # moto: an unknown task is a bare Exception (HTTP 500) and the task is STOPPED at once
        # without a stopCode. Here it goes STOPPING -> STOPPED with stopCode UserInitiated.
        cluster = self._get_cluster(cluster_str)
        task_id = task_str.split("/")[-1]
        for arn, task in self.tasks.get(cluster.name, {}).items():
            if arn.endswith(f"/{task_id}"):
                if isinstance(task, EmulatedTask):
                    tasks.request_stop(
                        task,
                        self.emulator_runtime.clock.now,
                        "UserInitiated",
                        reason or "Task stopped by user",
                    )
                    return task
                return super().stop_task(cluster_str, task_str, reason)
        raise InvalidParameterException("The referenced task was not found.")

    def list_tasks(
        self,
        cluster_str: str | None = None,
        container_instance: str | None = None,
        family: str | None = None,
        started_by: str | None = None,
        service_name: str | None = None,
        desiredStatus: str | None = None,  # moto's parameter name
    ) -> list[Task]:
        # moto: ignores serviceName and, without desiredStatus, lists STOPPED tasks too
        # (ECS lists desiredStatus RUNNING unless told otherwise).
        found = super().list_tasks(cluster_str, container_instance, family, started_by)
        if service_name:
            group = f"service:{service_name.split('/')[-1]}"
            found = [t for t in found if t.group == group]
        wanted = desiredStatus or "RUNNING"
        return [t for t in found if t.desired_status == wanted]

    @staticmethod
    def _validate_container_defs(
        memory: str | None,
        container_definitions: list[dict[str, Any]],
        requires_compatibilities: list[str] | None,
    ) -> None:
        # moto: an EC2-compatible container needs `memory` even with `memoryReservation`.
        # ECS (ContainerDefinition.memoryReservation): "If a task-level memory value is not
        # specified, you must specify a non-zero integer for one or both of memory or
        # memoryReservation in a container definition", whatever the compatibilities.
        for container in container_definitions:
            if not container.get("name"):
                raise TaskDefinitionMissingPropertyError("name")
            if not container.get("image"):
                raise TaskDefinitionMissingPropertyError("image")
            if not (memory or container.get("memory") or container.get("memoryReservation")):
                raise TaskDefinitionMemoryError(container["name"])


def patch_ecs_backend(backend: EC2ContainerServiceBackend, runtime: EmulatorRuntime) -> None:
    """Make one backend instance emulated (idempotent)."""
    if not isinstance(backend, EmulatedEcsBackend):
        backend.__class__ = EmulatedEcsBackend
    backend.emulator_runtime = runtime  # type: ignore[attr-defined]
