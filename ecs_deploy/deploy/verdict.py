"""Decide a service's verdict from the deployment this run started. Pure: data in, verdict out.

"The service is stable" is not a verdict: after a circuit-breaker rollback the service is stable
again on the old revision (the bug every peer shipped). What counts is our deployment's own
rolloutState and whether the service still runs our task definition.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ecs_deploy.results import Outcome, revision_of


@dataclass(frozen=True, slots=True)
class Verdict:
    outcome: Outcome
    reason: str


def find_deployment(
    service: Mapping[str, Any], deployment_id: str | None
) -> Mapping[str, Any] | None:
    """Our deployment; with no id of our own (a scale-only update), the PRIMARY."""
    for deployment in service.get("deployments") or []:
        if deployment.get("id") == deployment_id or (
            deployment_id is None and deployment.get("status") == "PRIMARY"
        ):
            return dict(deployment)
    return None


def judge(
    service: Mapping[str, Any],
    deployment_id: str | None,
    task_definition_arn: str,
    *,
    started: datetime | None = None,
) -> Verdict | None:
    """The verdict, or None while our deployment is still in progress.

    `deployment_id` None: the update started no deployment (only the desired count changed),
    so the verdict is on the counts. `started`: when ECS created our deployment, to tell a
    deployment that replaced ours from a read that does not show ours yet.
    """
    runs_ours = service.get("taskDefinition") == task_definition_arn
    ours = find_deployment(service, deployment_id)
    if deployment_id is None:
        if ours is not None and runs_ours and _settled_on(service, ours):
            running = ours.get("runningCount")
            return Verdict(Outcome.SUCCEEDED, f"{running}/{running} tasks run after the scale")
        return None
    if ours is None:
        return _judge_gone(service, deployment_id, runs_ours, started)
    state = ours.get("rolloutState")
    reason = str(ours.get("rolloutStateReason") or "")
    if state == "COMPLETED":
        if runs_ours:
            return Verdict(Outcome.SUCCEEDED, reason or "deployment completed")
        return Verdict(
            Outcome.SUPERSEDED,
            "deployment completed but the service now runs "
            f"{revision_of(service.get('taskDefinition'))}",
        )
    if state == "FAILED":
        if not runs_ours or _rollback_in_progress(service, deployment_id):
            return Verdict(Outcome.ROLLED_BACK, reason or "deployment failed and ECS rolled back")
        return Verdict(Outcome.FAILED, reason or "deployment failed")
    if state is None and _settled_on(service, ours):
        # Very old services report no rolloutState: fall back to counts on our deployment.
        return Verdict(Outcome.SUCCEEDED, "the service's only deployment runs our task definition")
    return None


def _judge_gone(
    service: Mapping[str, Any],
    deployment_id: str | None,
    runs_ours: bool,
    started: datetime | None,
) -> Verdict | None:
    """Our deployment left the list: something replaced it before we saw it finish."""
    primary = next(
        (d for d in service.get("deployments") or [] if d.get("status") == "PRIMARY"), None
    )
    created = primary.get("createdAt") if primary else None
    if started is not None and isinstance(created, datetime) and created < started:
        return None  # an eventually consistent read from before our update: look again
    if runs_ours and primary and primary.get("rolloutState") == "COMPLETED":
        return Verdict(Outcome.SUCCEEDED, "a later deployment of our task definition completed")
    return Verdict(
        Outcome.SUPERSEDED,
        f"deployment {deployment_id} was replaced by "
        f"{primary.get('id') if primary else 'another'}; "
        f"the service runs {revision_of(service.get('taskDefinition'))}",
    )


def _rollback_in_progress(service: Mapping[str, Any], deployment_id: str | None) -> bool:
    return any(
        d.get("status") == "PRIMARY" and d.get("id") != deployment_id
        for d in service.get("deployments") or []
    )


def _settled_on(service: Mapping[str, Any], deployment: Mapping[str, Any]) -> bool:
    return (
        len(service.get("deployments") or []) == 1
        and deployment.get("runningCount") == deployment.get("desiredCount")
        and not deployment.get("pendingCount")
    )


_ROLLBACK_STATUSES = frozenset(
    {"ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL"}
)


def refine(verdict: Verdict, service_deployment: Mapping[str, Any] | None) -> Verdict:
    """Sharpen a non-success verdict with ECS's service deployment record, where it exists.

    The service deployments API says in its own words whether ECS rolled back and why; the
    rolloutState fallback only lets us infer it.
    """
    if service_deployment is None or verdict.outcome is Outcome.SUCCEEDED:
        return verdict
    status = str(service_deployment.get("status", ""))
    reason = str(service_deployment.get("statusReason") or "")
    text = (
        verdict.reason if not reason or reason in verdict.reason else f"{verdict.reason} ({reason})"
    )
    if status in _ROLLBACK_STATUSES:
        return Verdict(Outcome.ROLLED_BACK, text)
    if status == "ROLLBACK_FAILED":
        return Verdict(
            Outcome.FAILED,
            f"{text}; ECS's rollback failed too: the service may run neither revision",
        )
    return Verdict(verdict.outcome, text)
