"""Register each distinct task definition once per run, whoever asks first."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from typing import Any

from ecs_deploy.aws.ecs import EcsApi
from ecs_deploy.errors import AccessDenied
from ecs_deploy.plan.deployment import TaskDefinitionPlan


class Registrar:
    """A run-task and the service it precedes share one rendered definition: one revision.

    Thread-safe: services start in parallel.
    """

    def __init__(self, ecs: EcsApi, *, warn: Callable[[str], None] | None = None) -> None:
        self._ecs = ecs
        self._warn = warn
        self._lock = threading.Lock()
        self._arns: dict[str, str] = {}

    @property
    def registered(self) -> tuple[str, ...]:
        """The ARNs this run registered, in order."""
        with self._lock:
            return tuple(self._arns.values())

    def arn_for(self, plan: TaskDefinitionPlan) -> tuple[str, bool]:
        """The ARN to use, and whether this call registered a new revision for it."""
        if not plan.changed and plan.live_arn:
            return plan.live_arn, False
        key = json.dumps(plan.register_params, sort_keys=True, default=str)
        with self._lock:
            if key in self._arns:
                return self._arns[key], False
            registered = self._register(plan.register_params)
            arn = str(registered["taskDefinitionArn"])
            self._arns[key] = arn
            return arn, True

    def _register(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Tags are copied from the live revision, which needs ecs:TagResource as well: a policy
        without it gets AccessDenied, and the revision is registered once more without tags."""
        try:
            return self._ecs.register_task_definition(params)
        except AccessDenied as exc:
            if not params.get("tags"):
                raise
            untagged = {key: value for key, value in params.items() if key != "tags"}
            registered = self._ecs.register_task_definition(untagged)
            if self._warn is not None:
                self._warn(
                    f"task definition '{params.get('family')}' registered without its tags: "
                    f"{exc} (allow ecs:TagResource to tag revisions)"
                )
            return registered
