"""The emulator's task and container objects, stored in moto's ECS backend.

`EmulatedTask` subclasses moto's `Task` so moto's store, tagging and serializer accept it, but
builds itself: moto's constructor models only the first container and needs security groups
and a VPC with DNS hostnames. moto's serializer reads attributes by the API's member names in
snake_case (`stop_code` for `stopCode`), which is why the fields are named as they are.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from moto.ec2.models import ec2_backends
from moto.ec2.utils import random_private_ip
from moto.ecs.models import Cluster, Task, TaskDefinition

from .faults import Fault

if TYPE_CHECKING:
    from moto.ecs.models import EC2ContainerServiceBackend


@dataclass(slots=True)
class EmulatedContainer:
    """One container of a task, shaped like the API's `Container`."""

    container_arn: str
    task_arn: str
    name: str
    image: str
    essential: bool
    cpu: str
    memory: str | None
    fault: Fault | None
    last_status: str = "PENDING"
    exit_code: int | None = None
    reason: str | None = None
    health_status: str = "UNKNOWN"
    runtime_id: str | None = None
    network_interfaces: list[dict[str, Any]] = field(default_factory=list)
    network_bindings: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Launch:
    """What the caller of RunTask (or the service scheduler) asked for."""

    group: str
    started_by: str = ""
    launch_type: str = "FARGATE"
    network_configuration: dict[str, Any] | None = None
    overrides: dict[str, Any] | None = None
    tags: list[dict[str, str]] | None = None
    platform_version: str | None = None
    capacity_provider_name: str | None = None
    keep_running: bool = False  # service tasks run until stopped; standalone tasks finish


class EmulatedTask(Task):
    """A task whose state only the emulator's scheduler moves (moto moves it on describe)."""

    containers: list[EmulatedContainer]  # type: ignore[assignment]  # all, not moto's first
    attachments: list[dict[str, Any]]

    def __init__(
        self,
        backend: EC2ContainerServiceBackend,
        cluster: Cluster,
        definition: TaskDefinition,
        launch: Launch,
        containers: list[EmulatedContainer],
        task_id: str,
        launched_at: float,
        created_at: datetime,
    ) -> None:
        # Deliberately not calling Task.__init__ (see module docstring); set what it would.
        self.id = task_id
        self._backend = backend
        self._account_id = backend.account_id
        self.region_name = cluster.region_name
        self.cluster_name = cluster.name
        self.cluster_arn = cluster.arn
        self.model_name = "ecs::task"
        self.definition = definition
        self.task_definition_arn = definition.arn
        self.group = launch.group
        self.started_by = launch.started_by
        self.launch_type = launch.launch_type
        self.capacity_provider_name = launch.capacity_provider_name
        self.platform_version = launch.platform_version or (
            "1.4.0" if launch.launch_type == "FARGATE" else None
        )
        self.platform_family = "Linux" if launch.launch_type == "FARGATE" else None
        self.overrides = launch.overrides or {}
        self.tags = launch.tags or []
        self.keep_running = launch.keep_running
        self.container_instance_arn: str | None = None
        self.resource_requirements: dict[str, Any] | None = None
        self.containers = containers
        self.cpu = definition.cpu
        self.memory = definition.memory
        self.availability_zone = f"{self.region_name}a"
        self.connectivity = "CONNECTED"
        self.connectivity_at = created_at
        self.created_at = created_at
        self.version = 1
        self.desired_status = "RUNNING"
        self._last_status = "PROVISIONING"
        self.health_status = "UNKNOWN"
        self.pull_started_at: datetime | None = None
        self.pull_stopped_at: datetime | None = None
        self.started_at: datetime | None = None
        self.stopping_at: datetime | None = None
        self.stopped_at: datetime | None = None
        self.execution_stopped_at: datetime | None = None
        self.stop_code: str | None = None
        self.stopped_reason: str | None = None  # type: ignore[assignment]  # None until stopping
        # Scheduler bookkeeping, in ECS seconds (see clock.py); not part of the API shape.
        self.launched_at = launched_at
        self.running_since: float | None = None
        self.stop_requested_at: float | None = None
        self.failed = False  # stopped because something went wrong (counts for the breaker)
        self.failure_counted = False
        self.healthy_counted = False  # its healthy moment reset the breaker's count (once)
        self.pull_seconds = 0.0  # set by tasks.launch_task (clock.PULL unless a fault says)
        self.attachments = _network_attachments(backend, launch.network_configuration)

    # moto's Task keeps the status in a state manager that advances on every describe.
    @property
    def last_status(self) -> str:
        return self._last_status

    @last_status.setter
    def last_status(self, value: str) -> None:
        self._last_status = value

    def advance(self) -> None:
        """moto calls this on describe; only the scheduler moves emulated tasks."""

    @property
    def short_id(self) -> str:
        return self.id

    @property
    def is_stopped(self) -> bool:
        return self._last_status == "STOPPED"


def container_specs(definition: TaskDefinition) -> list[dict[str, Any]]:
    """The container definitions of a task definition (moto types them loosely)."""
    return [dict(spec) for spec in definition.container_definitions]


def new_task_id() -> str:
    return uuid.uuid4().hex


def _network_attachments(
    backend: EC2ContainerServiceBackend, network_configuration: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """An ENI in the first subnet, as Fargate attaches one; tolerant where moto is not."""
    vpc_config = (network_configuration or {}).get("awsvpcConfiguration") or {}
    subnets = vpc_config.get("subnets") or []
    if not subnets:
        return []
    ec2 = ec2_backends[backend.account_id][backend.region_name]
    try:
        eni = ec2.create_network_interface(
            subnet=subnets[0],
            private_ip_address=random_private_ip(),
            group_ids=vpc_config.get("securityGroups") or [],
            description="emulated ECS task",
        )
    except Exception:
        return []
    eni.status = "in-use"
    details = [
        {"name": "subnetId", "value": subnets[0]},
        {"name": "networkInterfaceId", "value": eni.id},
        {"name": "macAddress", "value": eni.mac_address},
        {"name": "privateIPv4Address", "value": eni.private_ip_address},
    ]
    # moto sets the DNS name only when the VPC has DNS hostnames on.
    dns_name = getattr(eni, "private_dns_name", None)
    if dns_name:
        details.append({"name": "privateDnsName", "value": dns_name})
    return [
        {
            "id": str(uuid.uuid4()),
            "type": "ElasticNetworkInterface",
            "status": "ATTACHED",
            "details": details,
        }
    ]
