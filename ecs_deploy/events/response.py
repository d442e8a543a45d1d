"""The answer to one event: what Lambda returns and `ecs-deploy event` prints (docs/lambda.md).

    {"kind": "updater" | "ecr_image_push" | "deployment_state_change",
     "status": "succeeded" | "handed_off" | "pending" | "ignored" | "failed" | "invalid",
     "error": null | {"type": ..., "message": ...},
     "message": one line a person reads,
     "deployments": [{cluster, service, outcome, deployment_id, task_definition_arn,
                      previous_task_definition_arn, reason}],
     "handed_off": [deployment ids whose verdict the state-change handler gives],
     "verdict": null | {cluster, service, deployment_id, outcome, reason, forensics},
     "delivered_to": ["logs", "sns:<topic arn>", "events:<bus>"]}

Exit codes of `ecs-deploy event`: 0 for succeeded, handed_off, pending and ignored; 1 for
failed (a deployment that did not land, or a denied update or tagging); 2 for invalid (the
event, or what it names: nothing was changed).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ecs_deploy.results import Forensics, ServiceResult


class Status(StrEnum):
    SUCCEEDED = "succeeded"
    HANDED_OFF = "handed_off"  # started; the time ran out; the state-change events finish it
    PENDING = "pending"  # a state change with no verdict yet (ECS is still rolling back, ...)
    IGNORED = "ignored"  # nothing to do (a failed push, an unmapped repository, ...)
    FAILED = "failed"
    INVALID = "invalid"

    @property
    def exit_code(self) -> int:
        if self is Status.INVALID:
            return 2
        return 1 if self is Status.FAILED else 0


@dataclass(frozen=True, slots=True)
class Verdict:
    """The verdict the state-change handler gives, with the action's forensics."""

    cluster: str
    service: str
    deployment_id: str
    outcome: str
    reason: str
    forensics: Forensics | None = None


@dataclass(frozen=True, slots=True)
class EventResponse:
    kind: str
    status: Status
    message: str
    error_type: str | None = None
    deployments: tuple[ServiceResult, ...] = ()
    handed_off: tuple[str, ...] = ()
    verdict: Verdict | None = None
    delivered_to: tuple[str, ...] = field(default=())

    @property
    def exit_code(self) -> int:
        return self.status.exit_code

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "status": self.status.value,
            "error": None
            if self.error_type is None
            else {"type": self.error_type, "message": self.message},
            "message": self.message,
            "deployments": [_deployment(result) for result in self.deployments],
            "handed_off": list(self.handed_off),
            "verdict": None if self.verdict is None else _verdict(self.verdict),
            "delivered_to": list(self.delivered_to),
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, sort_keys=False)


def _deployment(result: ServiceResult) -> dict[str, Any]:
    return {
        "cluster": result.cluster,
        "service": result.name,
        "outcome": result.outcome.value,
        "deployment_id": result.deployment_id,
        "task_definition_arn": result.task_definition_arn,
        "previous_task_definition_arn": result.previous_task_definition_arn,
        "reason": result.reason,
    }


def _verdict(verdict: Verdict) -> dict[str, Any]:
    return {
        "cluster": verdict.cluster,
        "service": verdict.service,
        "deployment_id": verdict.deployment_id,
        "outcome": verdict.outcome,
        "reason": verdict.reason,
        "forensics": None if verdict.forensics is None else forensics_dict(verdict.forensics),
    }


def forensics_dict(evidence: Forensics) -> dict[str, Any]:
    """Forensics as JSON: the same values the action's summary shows."""
    return {
        "stopped_tasks": [
            {**dataclasses.asdict(group), "description": group.describe()}
            for group in evidence.stopped_tasks
        ],
        "events": list(evidence.events),
        "logs": [dataclasses.asdict(tail) for tail in evidence.logs],
        "links": [{"title": title, "url": url} for title, url in evidence.links],
        "notes": list(evidence.notes),
    }
