"""A service shaped the way terraform-aws-modules/ecs makes one, in the emulator.

What Terraform owns there (modules/service/main.tf of terraform-aws-modules/terraform-aws-ecs):
the load balancer, the network configuration, the capacity provider strategy and the EBS
`volume_configuration`; `desired_count` is ignored (`lifecycle { ignore_changes =
[desired_count] }`) because Application Auto Scaling owns it.
"""

from __future__ import annotations

import time
from typing import Any

from tests.e2e.conftest import service_of

SERVICE = "tf"
FAMILY = "tf-app"
TARGET_GROUP = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tf/0123456789abcdef"
LOAD_BALANCERS = [{"targetGroupArn": TARGET_GROUP, "containerName": "app", "containerPort": 8080}]
CAPACITY = [
    {"capacityProvider": "FARGATE", "weight": 1, "base": 1},
    {"capacityProvider": "FARGATE_SPOT", "weight": 3},
]
EBS = [
    {
        "name": "data",
        "managedEBSVolume": {
            "roleArn": "arn:aws:iam::123456789012:role/ecsInfrastructureRole",
            "sizeInGiB": 20,
            "volumeType": "gp3",
        },
    }
]
AUTOSCALED_COUNT = 3  # what autoscaling set; Terraform's desired_count (2) is ignored


def register_like_terraform(app: Any, image: str, *, label: str = "1") -> str:
    """A revision of tf-app as Terraform's aws_ecs_task_definition registers it."""
    web = service_of(app, "web")
    ecs = app.client("ecs")
    described = ecs.describe_task_definition(taskDefinition=web["taskDefinition"])
    definition = described["taskDefinition"]
    container = dict(definition["containerDefinitions"][0], name="app", image=image)
    container["dockerLabels"] = {"terraform.revision": label}
    registered = ecs.register_task_definition(
        family=FAMILY,
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[container],
        volumes=[{"name": "data", "configuredAtLaunch": True}],
    )
    return str(registered["taskDefinition"]["taskDefinitionArn"])


def terraform_service(app: Any, image: str = "registry.example.com/team/tf:1.0") -> str:
    """Service `tf` behind a load balancer, on capacity providers, with an EBS volume
    configured at launch, scaled to 3 by "autoscaling"; steady. Its task definition's ARN."""
    ecs = app.client("ecs")
    arn = register_like_terraform(app, image)
    ecs.put_cluster_capacity_providers(
        cluster="demo",
        capacityProviders=["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategy=[],
    )
    ecs.create_service(
        cluster="demo",
        serviceName=SERVICE,
        taskDefinition=arn,
        desiredCount=2,
        capacityProviderStrategy=CAPACITY,
        networkConfiguration=service_of(app, "web")["networkConfiguration"],
        loadBalancers=LOAD_BALANCERS,
        volumeConfigurations=EBS,
        deploymentConfiguration={
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
        },
    )
    ecs.update_service(cluster="demo", service=SERVICE, desiredCount=AUTOSCALED_COUNT)
    wait_steady(app, SERVICE, AUTOSCALED_COUNT)
    app.calls.clear()
    return arn


def wait_steady(app: Any, name: str, count: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        service = service_of(app, name)
        deployments = service["deployments"]
        if (
            len(deployments) == 1
            and deployments[0].get("rolloutState") == "COMPLETED"
            and service["runningCount"] == count
        ):
            return
        time.sleep(0.05)
    raise AssertionError(f"service {name} did not settle")
