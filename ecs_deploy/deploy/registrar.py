"""Register each distinct task definition once per run, whoever asks first."""

from __future__ import annotations

import json
import threading

from ecs_deploy.aws.ecs import EcsApi
from ecs_deploy.plan.deployment import TaskDefinitionPlan


class Registrar:
    """A run-task and the service it precedes share one rendered definition: one revision.

    Thread-safe: services start in parallel.
    """

    def __init__(self, ecs: EcsApi) -> None:
        self._ecs = ecs
        self._lock = threading.Lock()
        self._arns: dict[str, str] = {}

    def arn_for(self, plan: TaskDefinitionPlan) -> tuple[str, bool]:
        """The ARN to use, and whether this call registered a new revision for it."""
        if not plan.changed and plan.live_arn:
            return plan.live_arn, False
        key = json.dumps(plan.register_params, sort_keys=True, default=str)
        with self._lock:
            if key in self._arns:
                return self._arns[key], False
            registered = self._ecs.register_task_definition(plan.register_params)
            arn = str(registered["taskDefinitionArn"])
            self._arns[key] = arn
            return arn, True
