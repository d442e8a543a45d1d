"""Create what an application file (`.ecs-deploy.yml`) names, so a deploy has something to
deploy to: a VPC with a subnet and a security group, the cluster, task definitions, services
(desiredCount 2, Fargate, circuit breaker with rollback), and the families of pre/post tasks.

Only the few keys needed here are read; the real parser lives in ecs_deploy.config.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ecs_deploy.errors import InputError

if TYPE_CHECKING:
    from .emulator import Emulator

DEFAULT_IMAGE = "public.ecr.aws/docker/library/nginx:1.27"
DESIRED_COUNT = 2
EXECUTION_ROLE = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"


@dataclass(frozen=True, slots=True)
class Seeded:
    cluster: str
    vpc_id: str
    subnet_id: str
    security_group_id: str
    services: dict[str, str] = field(default_factory=dict)  # name -> task definition ARN
    task_families: list[str] = field(default_factory=list)

    def describe(self) -> list[str]:
        """Lines for a person: what exists now."""
        lines = [
            f"cluster {self.cluster}",
            f"subnet {self.subnet_id} (vpc {self.vpc_id}), security group {self.security_group_id}",
        ]
        lines += [f"service {name} -> {arn}" for name, arn in self.services.items()]
        lines += [f"task family {family}" for family in self.task_families]
        return lines


def seed_app_file(emulator: Emulator, path: Path, timeout: float) -> Seeded:
    app = _load_mapping(path)
    cluster = str(app.get("cluster") or "default")
    ecs, ec2 = emulator.client("ecs"), emulator.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group_id = ec2.create_security_group(
        GroupName=f"{cluster}-ecs-tasks", Description="ecs-deploy emulator", VpcId=vpc_id
    )["GroupId"]
    ecs.create_cluster(clusterName=cluster)
    network = {
        "awsvpcConfiguration": {
            "subnets": [subnet_id],
            "securityGroups": [group_id],
            "assignPublicIp": "ENABLED",
        }
    }
    services: dict[str, str] = {}
    for entry in _list(app, "services", path):
        name = str(_require(entry, "name", path))
        definition = _definition_for(entry, name, path, emulator.region)
        arn = ecs.register_task_definition(**_registrable(ecs, definition))["taskDefinition"][
            "taskDefinitionArn"
        ]
        ecs.create_service(
            cluster=cluster,
            serviceName=name,
            taskDefinition=arn,
            desiredCount=DESIRED_COUNT,
            launchType="FARGATE",
            networkConfiguration=network,
            deploymentConfiguration={
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
        )
        services[name] = arn
    families = _register_task_families(ecs, app, path, emulator.region)
    _wait_steady(ecs, cluster, list(services), timeout)
    return Seeded(cluster, vpc_id, subnet_id, group_id, services, families)


def _register_task_families(ecs: Any, app: dict[str, Any], path: Path, region: str) -> list[str]:
    tasks = app.get("tasks") or {}
    if not isinstance(tasks, dict):
        raise InputError("'tasks' must be a mapping with 'pre' and/or 'post'", location=None)
    known = set(ecs.list_task_definition_families(status="ACTIVE")["families"])
    families: list[str] = []
    for phase in ("pre", "post"):
        for entry in tasks.get(phase) or []:
            if not isinstance(entry, dict) or "family" not in entry:
                raise InputError(f"{path}: every tasks.{phase} entry needs a 'family'")
            family = str(entry["family"])
            if family not in known:
                definition = _default_definition(
                    family, entry.get("containers") or [family], region
                )
                ecs.register_task_definition(**_registrable(ecs, definition))
                known.add(family)
            families.append(family)
    return families


def _definition_for(entry: dict[str, Any], name: str, path: Path, region: str) -> dict[str, Any]:
    source = entry.get("task_definition")
    if not source:
        return _default_definition(name, entry.get("containers") or [name], region)
    file = (path.parent / str(source)).resolve()
    loaded = _load_mapping(file)
    return (
        loaded.get("taskDefinition", loaded)
        if isinstance(loaded.get("taskDefinition"), dict)
        else loaded
    )


def _default_definition(family: str, containers: list[Any], region: str) -> dict[str, Any]:
    specs = []
    for index, container in enumerate(containers):
        name = container.get("name") if isinstance(container, dict) else container
        image = container.get("image") if isinstance(container, dict) else None
        spec: dict[str, Any] = {
            "name": str(name),
            "image": str(image or DEFAULT_IMAGE),
            "essential": index == 0,
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": f"/ecs/{family}",
                    "awslogs-region": region,
                    "awslogs-stream-prefix": "ecs",
                },
            },
        }
        if index == 0:
            spec["portMappings"] = [{"containerPort": 80, "protocol": "tcp"}]
        specs.append(spec)
    return {
        "family": family,
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": "256",
        "memory": "512",
        "executionRoleArn": EXECUTION_ROLE,
        "containerDefinitions": specs,
    }


def _registrable(ecs: Any, definition: dict[str, Any]) -> dict[str, Any]:
    """Keep the members RegisterTaskDefinition takes (describe output has read-only ones)."""
    shape = ecs.meta.service_model.operation_model("RegisterTaskDefinition").input_shape
    return {k: v for k, v in definition.items() if k in shape.members and v is not None}


def _wait_steady(ecs: Any, cluster: str, names: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pending = list(names)
    while pending:
        found = []
        for start in range(0, len(pending), 10):
            found += ecs.describe_services(cluster=cluster, services=pending[start : start + 10])[
                "services"
            ]
        pending = [
            s["serviceName"]
            for s in found
            if not any(d.get("rolloutState") == "COMPLETED" for d in s.get("deployments", []))
        ]
        if not pending:
            return
        if time.monotonic() > deadline:
            raise InputError(f"seeded services did not reach a steady state: {', '.join(pending)}")
        time.sleep(0.05)


def _load_mapping(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping at the top level")
    return data


def _list(data: dict[str, Any], key: str, path: Path) -> list[dict[str, Any]]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise InputError(f"{path}: '{key}' must be a list of mappings")
    return value


def _require(entry: dict[str, Any], key: str, path: Path) -> Any:
    if key not in entry:
        raise InputError(f"{path}: an entry of 'services' has no '{key}'")
    return entry[key]
