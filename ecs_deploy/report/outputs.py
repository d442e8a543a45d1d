"""The action's outputs, derived from the run's result."""

from __future__ import annotations

import dataclasses
import json

from ecs_deploy.results import RunResult


def outputs_for(result: RunResult) -> dict[str, str]:
    first = result.services[0] if result.services else None
    task_definition_arn = (first.task_definition_arn if first else result.task_definition_arn) or ""
    previous = (
        first.previous_task_definition_arn if first else result.previous_task_definition_arn
    ) or ""
    services = [
        {
            "name": service.name,
            "cluster": service.cluster,
            "previous_task_definition_arn": service.previous_task_definition_arn,
            "task_definition_arn": service.task_definition_arn,
            "outcome": service.outcome.value,
            "seconds": round(service.seconds, 1),
            "deployment_id": service.deployment_id,
            "reason": service.reason,
            "rollback": None
            if service.rollback is None
            else {
                "task_definition_arn": service.rollback.task_definition_arn,
                "outcome": service.rollback.outcome.value,
                "reason": service.rollback.reason,
            },
            "blue_green": None
            if service.blue_green is None
            else dataclasses.asdict(service.blue_green),
        }
        for service in result.services
    ]
    tasks = [
        {
            "name": task.name,
            "phase": task.phase,
            "outcome": task.outcome.value,
            "reason": task.reason,
            "task_definition_arn": task.task_definition_arn,
            "task_arns": list(task.task_arns),
            "exit_codes": [
                {container.name: container.exit_code for container in stopped.containers}
                for stopped in task.tasks
            ],
            "seconds": round(task.seconds, 1),
        }
        for task in (*result.pre_tasks, *result.post_tasks)
    ]
    return {
        "task-definition-arn": task_definition_arn,
        "previous-task-definition-arn": previous,
        "outcome": result.outcome.value,
        "services": json.dumps(services),
        # The official action's output: the ARNs of the tasks it ran, as a JSON array.
        "run-task-arn": json.dumps(
            [arn for task in (*result.pre_tasks, *result.post_tasks) for arn in task.task_arns]
        ),
        "tasks": json.dumps(tasks),
        **blue_green_outputs(result),
    }


def blue_green_outputs(result: RunResult) -> dict[str, str]:
    """The first blue/green service's ids: what a later `continue` step needs."""
    found = [s.blue_green for s in result.services if s.blue_green is not None]
    codedeploy = next((b for b in found if b.strategy == "codedeploy"), None)
    ecs = next((b for b in found if b.strategy != "codedeploy"), None)
    return {
        "codedeploy-deployment-id": (codedeploy.deployment_id if codedeploy else None) or "",
        "deployment-arn": (ecs.deployment_arn if ecs else None) or "",
        "hook-id": (ecs.hook_id if ecs else None) or "",
    }
