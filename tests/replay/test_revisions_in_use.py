"""What keep-revisions must never deregister, read from published responses through the real
`aws` layer: a task set's revision (CodeDeploy and EXTERNAL services keep their revisions in
taskSets, not deployments[]) and the revision of tasks that run (SOURCES.md, section 9)."""

from __future__ import annotations

from typing import Any

from botocore.stub import Stubber

from ecs_deploy.aws.ecs import EcsApi
from tests.replay.test_replay import client, recorded

CLUSTER = "MyCluster"
SERVICE_ARN = "arn:aws:ecs:us-west-2:123456789012:service/MyCluster/MyService"


def external_service(task_set: dict[str, Any]) -> dict[str, Any]:
    """DescribeServices for the service the recorded task set belongs to. Only the task set is
    recorded; the service around it is ours (an EXTERNAL service lists no deployments)."""
    return {
        "services": [
            {
                "serviceArn": SERVICE_ARN,
                "serviceName": "MyService",
                "clusterArn": "arn:aws:ecs:us-west-2:123456789012:cluster/MyCluster",
                "status": "ACTIVE",
                "deploymentController": {"type": "EXTERNAL"},
                "taskSets": [task_set],
                "deployments": [],
            }
        ],
        "failures": [],
    }


def test_task_sets_and_running_tasks_are_in_use() -> None:
    ecs_client = client("ecs", "us-west-2")
    [task_set] = recorded("describe-task-sets-external.json")["taskSets"]
    tasks = recorded("describe-tasks-running-fargate-service.json")
    with Stubber(ecs_client) as stub:
        stub.add_response("list_services", {"serviceArns": [SERVICE_ARN]}, {"cluster": CLUSTER})
        stub.add_response(
            "describe_services",
            external_service(task_set),
            {"cluster": CLUSTER, "services": [SERVICE_ARN]},
        )
        stub.add_response(
            "list_tasks",
            recorded("list-tasks-cluster.json"),
            {"cluster": CLUSTER, "desiredStatus": "RUNNING"},
        )
        stub.add_response(
            "list_tasks", {"taskArns": []}, {"cluster": CLUSTER, "desiredStatus": "STOPPED"}
        )
        stub.add_response("describe_tasks", tasks)
        in_use = EcsApi(ecs_client).revisions_in_use(CLUSTER)
        stub.assert_no_pending_responses()
    assert in_use == {
        "arn:aws:ecs:us-west-2:123456789012:task-definition/sample-fargate:2",  # the task set's
        "arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:2",  # the tasks'
    }
