"""Helpers for the emulator's tests: a small Fargate world and polling with a deadline."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ecs_deploy.emulator import Emulator

T = TypeVar("T")
CLUSTER = "demo"


@dataclass(frozen=True)
class World:
    emulator: Emulator
    ecs: Any
    subnet: str
    security_group: str

    def network(self, security_groups: bool = True) -> dict[str, Any]:
        config: dict[str, Any] = {"subnets": [self.subnet]}
        if security_groups:
            config["securityGroups"] = [self.security_group]
        return {"awsvpcConfiguration": config}

    def register(self, family: str, *containers: dict[str, Any], **extra: Any) -> str:
        definitions = [
            {
                "essential": True,
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": f"/ecs/{family}",
                        "awslogs-region": "us-east-1",
                        "awslogs-stream-prefix": "ecs",
                    },
                },
                **c,
            }
            for c in containers
        ]
        answer = self.ecs.register_task_definition(
            family=family,
            requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc",
            cpu="256",
            memory="512",
            containerDefinitions=definitions,
            **extra,
        )
        return str(answer["taskDefinition"]["taskDefinitionArn"])

    def create_service(
        self, name: str, task_definition: str, breaker: bool | None = True, **extra: Any
    ) -> dict[str, Any]:
        config: dict[str, Any] = extra.pop("deploymentConfiguration", {})
        if breaker is not None:
            config["deploymentCircuitBreaker"] = {"enable": breaker, "rollback": breaker}
        answer = self.ecs.create_service(
            cluster=CLUSTER,
            serviceName=name,
            taskDefinition=task_definition,
            desiredCount=extra.pop("desiredCount", 2),
            launchType="FARGATE",
            networkConfiguration=self.network(),
            deploymentConfiguration=config,
            **extra,
        )
        return dict(answer["service"])

    def service(self, name: str) -> dict[str, Any]:
        return dict(self.ecs.describe_services(cluster=CLUSTER, services=[name])["services"][0])

    def steady(self, name: str, timeout: float = 10) -> dict[str, Any]:
        return wait_for(
            lambda: _completed(self.service(name)), timeout, f"service {name} never completed"
        )

    def tasks(self, **filters: Any) -> list[dict[str, Any]]:
        arns = self.ecs.list_tasks(cluster=CLUSTER, **filters)["taskArns"]
        if not arns:
            return []
        return list(self.ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"])

    def task(self, arn: str) -> dict[str, Any]:
        return dict(self.ecs.describe_tasks(cluster=CLUSTER, tasks=[arn])["tasks"][0])

    def messages(self, name: str) -> list[str]:
        return [e["message"] for e in self.service(name)["events"]]


def make_world(emulator: Emulator) -> World:
    ec2 = emulator.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="tasks", Description="tasks", VpcId=vpc)["GroupId"]
    ecs = emulator.client("ecs")
    ecs.create_cluster(clusterName=CLUSTER)
    return World(emulator, ecs, subnet, group)


def wait_for(check: Callable[[], T | None], timeout: float = 10, what: str = "condition") -> T:
    """Poll until `check` returns something truthy; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out: {what}")
        time.sleep(0.02)


def _completed(service: dict[str, Any]) -> dict[str, Any] | None:
    deployments = service["deployments"]
    done = len(deployments) == 1 and deployments[0]["rolloutState"] == "COMPLETED"
    return service if done else None
