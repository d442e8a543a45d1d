"""Container output into CloudWatch Logs, where the task definition's awslogs options say.

Stream names follow the awslogs driver: `<awslogs-stream-prefix>/<container>/<task id>`
(without a prefix ECS uses the task id alone). The group is created when absent, as
`awslogs-create-group` would.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from moto.logs.models import logs_backends

from .task_model import EmulatedTask, container_specs


class CloudWatchLogSink:
    """Writes straight into moto's Logs backend of the task's account and region."""

    def write(self, task: EmulatedTask, container: str, lines: Iterable[str]) -> None:
        options = _awslogs_options(task, container)
        if options is None or "awslogs-group" not in options:
            return
        group = options["awslogs-group"]
        prefix = options.get("awslogs-stream-prefix")
        stream = f"{prefix}/{container}/{task.id}" if prefix else task.id
        region = options.get("awslogs-region", task.region_name)
        backend = logs_backends[task._account_id][region]
        if group not in backend.groups:
            backend.create_log_group(group, {})
        if stream not in backend.groups[group].streams:
            backend.create_log_stream(group, stream)
        stamp = int(time.time() * 1000)
        events = [{"timestamp": stamp, "message": line} for line in lines]
        if events:
            backend.put_log_events(group, stream, events)


def _awslogs_options(task: EmulatedTask, container: str) -> dict[str, Any] | None:
    for spec in container_specs(task.definition):
        if spec.get("name") != container:
            continue
        config = spec.get("logConfiguration") or {}
        if config.get("logDriver") != "awslogs":
            return None
        return dict(config.get("options") or {})
    return None
