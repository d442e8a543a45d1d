"""Roll back what this run changed when a deployment did not land (rollback: on-failure)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence

from ecs_deploy.config.settings import RollbackPolicy, RollbackScope
from ecs_deploy.deploy.rolling import StartedDeployment
from ecs_deploy.deploy.watch import WatchedVerdict
from ecs_deploy.plan.deployment import ServicePlan, TaskDefinitionPlan
from ecs_deploy.results import Outcome, RollbackResult, ServiceResult

# What this run rolls back itself. ROLLED_BACK: ECS's breaker already did it (never twice).
# SUPERSEDED: someone else deployed since; rolling back would undo their deployment, not ours.
ROLLBACK_TRIGGERS = frozenset({Outcome.FAILED, Outcome.TIMED_OUT, Outcome.STALLED})

StartAll = Callable[[Sequence[ServicePlan]], Sequence[StartedDeployment]]
WatchAll = Callable[[Sequence[StartedDeployment]], Mapping[str, WatchedVerdict]]


def services_to_roll_back(
    results: Mapping[str, ServiceResult],
    started: Sequence[StartedDeployment],
    policy: RollbackPolicy,
) -> list[StartedDeployment]:
    if not policy.on_failure or all(result.outcome.ok for result in results.values()):
        return []
    wanted = set(ROLLBACK_TRIGGERS)
    if policy.scope is RollbackScope.ALL:
        wanted.add(Outcome.SUCCEEDED)
    return [d for d in started if results[d.plan.name].outcome in wanted]


def rollback_target(deployment: StartedDeployment) -> str | None:
    """The last revision that completed a deployment, unless it is the one that just failed."""
    target = deployment.plan.rollback_task_definition_arn
    return target if target and target != deployment.task_definition_arn else None


def rollback_plan(deployment: StartedDeployment, target: str) -> ServicePlan:
    """Back to the last completed revision: nothing to register."""
    plan = deployment.plan
    previous = TaskDefinitionPlan(
        family=plan.task_definition.family,
        register_params=plan.task_definition.register_params,
        live_arn=target,
        changed=False,
    )
    return dataclasses.replace(
        plan,
        task_definition=previous,
        force_new_deployment=False,
        desired_count=None,
        redeploy_reason=None,
        live_primary_id=deployment.deployment_id,
    )


def roll_back(
    results: Mapping[str, ServiceResult],
    targets: Sequence[StartedDeployment],
    start_all: StartAll,
    watch_all: WatchAll,
) -> dict[str, ServiceResult]:
    """Start every rollback, wait for them, and record what each one did."""
    updated = dict(results)
    failed_names = sorted(name for name, result in results.items() if not result.outcome.ok)
    revisions = {target.plan.name: rollback_target(target) for target in targets}
    started = start_all(
        [rollback_plan(t, arn) for t in targets if (arn := revisions[t.plan.name]) is not None]
    )
    verdicts = watch_all(started) if started else {}
    for target in targets:
        name = target.plan.name
        watched = verdicts.get(name)
        if revisions[name] is None:
            rollback = RollbackResult(
                task_definition_arn=None,
                outcome=Outcome.SKIPPED,
                reason="no earlier revision completed a deployment: nothing to return to",
            )
        else:
            rollback = RollbackResult(
                task_definition_arn=revisions[name],
                outcome=watched.verdict.outcome if watched else Outcome.FAILED,
                reason=watched.verdict.reason if watched else "the rollback could not be started",
            )
        result = dataclasses.replace(updated[name], rollback=rollback)
        if result.outcome is Outcome.SUCCEEDED:
            # It had landed; it is rolled back because the application as a whole failed.
            result = dataclasses.replace(
                result,
                outcome=Outcome.ROLLED_BACK if rollback.outcome.ok else Outcome.FAILED,
                reason=f"rolled back because {', '.join(failed_names)} did not deploy",
            )
        updated[name] = result
    return updated
