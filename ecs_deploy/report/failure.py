"""Outputs and job summary when a run ends on an error instead of a result.

A workflow reads `outcome` and `services` whatever happened: `invalid` (exit 2: the input was
refused, nothing changed), `error` (an AWS error or other failure broke the run off: the
services it updated and their state as far as known), `interrupted`.
"""

from __future__ import annotations

import json

from ecs_deploy.report.record import PlannedService, RunRecord
from ecs_deploy.report.summary import cell
from ecs_deploy.results import revision_of

INVALID = "invalid"
ERROR = "error"
INTERRUPTED = "interrupted"
UNKNOWN = "unknown"  # a service's outcome: updated, but the run stopped before its verdict


def failure_outputs(outcome: str, record: RunRecord) -> dict[str, str]:
    """The outputs a result would give, for the same names; blue/green ids are left alone
    (one announced while the run went on stays the last value written)."""
    services = [_service_output(outcome, service, record) for service in record.services]
    first = record.services[0] if record.services else None
    update = record.update_of(first.name) if first else None
    current = first.current_task_definition_arn if first else None
    return {
        "task-definition-arn": (update.task_definition_arn if update else current) or "",
        "previous-task-definition-arn": current or "",
        "outcome": outcome,
        "services": json.dumps(services),
        "run-task-arn": "[]",
        "tasks": "[]",
    }


def _service_output(outcome: str, service: PlannedService, record: RunRecord) -> dict[str, object]:
    update = record.update_of(service.name)
    if update is None:
        reason = (
            "not updated: the input was refused"
            if outcome == INVALID
            else f"not updated: the run stopped ({outcome}) before this service"
        )
        arn, state, deployment = service.current_task_definition_arn, "skipped", None
    else:
        what = "rollback" if update.rollback else "deployment"
        reason = f"updated: {what} started; the run stopped ({outcome}) before its verdict"
        arn, state, deployment = update.task_definition_arn, UNKNOWN, update.deployment_id
    return {
        "name": service.name,
        "cluster": service.cluster,
        "previous_task_definition_arn": service.current_task_definition_arn,
        "task_definition_arn": arn,
        "outcome": state,
        "seconds": 0.0,
        "deployment_id": deployment,
        "reason": reason,
        "rollback": None,
        "blue_green": None,
    }


def failure_summary(outcome: str, message: str, record: RunRecord) -> str:
    """`message` is the error's one line, with its file:line where it has one."""
    lines = [f"## ecs-deploy: ❌ {outcome}", ""]
    if outcome == INVALID:
        lines += [f"**Invalid input; nothing was changed.** {cell(message)}"]
        return "\n".join(lines) + "\n"
    lines += [f"**The run stopped before its verdict:** {cell(message)}"]
    if record.cluster:
        lines += ["", f"Cluster: `{cell(record.cluster)}`"]
    updated = [s for s in record.services if record.update_of(s.name) is not None]
    if record.services:
        lines += [
            "",
            "| Service | State when the run stopped | Task definition | Previous |",
            "|---|---|---|---|",
        ]
        lines += [_row(service, record) for service in record.services]
    lines += [""]
    if updated:
        names = ", ".join(cell(s.name) for s in updated)
        lines += [
            f"> ⚠️ Updated: {names}. ECS goes on with these deployments; check each service "
            "(console, or `aws ecs describe-services`) before running again."
        ]
    else:
        lines += ["No service was updated."]
    return "\n".join(lines) + "\n"


def _row(service: PlannedService, record: RunRecord) -> str:
    update = record.update_of(service.name)
    if update is None:
        state, arn = "not updated", service.current_task_definition_arn
    else:
        what = "rollback" if update.rollback else "deployment"
        started = f" `{cell(update.deployment_id)}`" if update.deployment_id else ""
        state = f"⚠️ updated: {what}{started} started, verdict unknown"
        arn = update.task_definition_arn
    return (
        f"| {cell(service.name)} | {state} | `{revision_of(arn)}` "
        f"| `{revision_of(service.current_task_definition_arn)}` |"
    )
