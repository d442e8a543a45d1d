"""The action's outputs, derived from the run's result."""

from __future__ import annotations

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
            },
        }
        for service in result.services
    ]
    return {
        "task-definition-arn": task_definition_arn,
        "previous-task-definition-arn": previous,
        "outcome": result.outcome.value,
        "services": json.dumps(services),
    }
