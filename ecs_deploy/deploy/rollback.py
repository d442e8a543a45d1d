"""Roll back what this run changed when a deployment did not land (rollback: on-failure)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence, Set

from ecs_deploy.config.settings import RollbackPolicy, RollbackScope
from ecs_deploy.deploy.started import StartedDeployment
from ecs_deploy.deploy.watch import WatchedVerdict
from ecs_deploy.plan.deployment import ServicePlan, TaskDefinitionPlan
from ecs_deploy.results import Outcome, RollbackResult, ServiceResult

# What this run rolls back itself. ROLLED_BACK: ECS's breaker already did it (never twice).
# SUPERSEDED: someone else deployed since; rolling back would undo their deployment, not ours.
ROLLBACK_TRIGGERS = frozenset({Outcome.FAILED, Outcome.TIMED_OUT, Outcome.STALLED})

StartAll = Callable[[Sequence[ServicePlan]], Sequence[StartedDeployment]]
WatchAll = Callable[[Sequence[StartedDeployment]], Mapping[str, WatchedVerdict]]
# Sends ROLLBACK to a deployment left paused (ready) and waits; None: not paused at a hook or
# Ready, so the previous revision is redeployed instead (see paused_rollback.py).
RollBackPaused = Callable[[ServiceResult, float], WatchedVerdict | None]
# Services that landed (or paused on the way) are rolled back too with rollback-scope all.
_LANDED = frozenset({Outcome.SUCCEEDED, Outcome.READY})


def services_to_roll_back(
    results: Mapping[str, ServiceResult],
    started: Sequence[StartedDeployment],
    policy: RollbackPolicy,
    ecs_rolling_back: Set[str] = frozenset(),
) -> list[StartedDeployment]:
    """What this run rolls back. `ecs_rolling_back`: services whose rollback ECS or CodeDeploy
    started itself (still in flight at our timeout, or finished): never a second one."""
    if not policy.on_failure or all(result.outcome.ok for result in results.values()):
        return []
    wanted = set(ROLLBACK_TRIGGERS)
    if policy.scope is RollbackScope.ALL:
        wanted |= _LANDED
    return [
        d
        for d in started
        if results[d.plan.name].outcome in wanted and d.plan.name not in ecs_rolling_back
    ]


def left_to_ecs(
    results: Mapping[str, ServiceResult], ecs_rolling_back: Set[str]
) -> dict[str, ServiceResult]:
    """Say, for each service whose rollback ECS was seen to start itself (still under way at
    our timeout), that the rollback is ECS's and not waited for."""
    updated = dict(results)
    for name in ecs_rolling_back:
        result = updated.get(name)
        if result is None or result.outcome not in ROLLBACK_TRIGGERS or result.rollback:
            continue
        updated[name] = dataclasses.replace(
            result,
            rollback=RollbackResult(
                task_definition_arn=result.previous_task_definition_arn,
                outcome=Outcome.STARTED,
                reason="ECS's own rollback is under way (this run does not start a second one)",
            ),
        )
    return updated


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
        follows=None,  # a rollback is an update of our own, never a deployment followed
        live_primary_id=deployment.deployment_id,
        # A rollback is watched to its final verdict: stopping at the stage or Ready the
        # failed run waited for would call it rolled back while production is not.
        wait_until=None,
    )


def roll_back(
    results: Mapping[str, ServiceResult],
    targets: Sequence[StartedDeployment],
    start_all: StartAll,
    watch_all: WatchAll,
    roll_back_paused: RollBackPaused | None = None,
) -> dict[str, ServiceResult]:
    """Start every rollback, wait for them, and record what each one did."""
    updated = dict(results)
    failed_names = sorted(name for name, result in results.items() if not result.outcome.ok)
    aborted = _roll_back_paused(results, targets, roll_back_paused)
    redeploy = [t for t in targets if t.plan.name not in aborted]
    revisions = {target.plan.name: rollback_target(target) for target in redeploy}
    started = start_all(
        [rollback_plan(t, arn) for t in redeploy if (arn := revisions[t.plan.name]) is not None]
    )
    verdicts = watch_all(started) if started else {}
    for target in targets:
        name = target.plan.name
        watched = verdicts.get(name)
        if name in aborted:
            rollback = aborted[name]
        elif revisions[name] is None:
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
        if result.outcome in _LANDED:
            # It had landed; it is rolled back because the application as a whole failed.
            result = dataclasses.replace(
                result,
                outcome=Outcome.ROLLED_BACK if rollback.outcome.ok else Outcome.FAILED,
                reason=f"rolled back because {', '.join(failed_names)} did not deploy",
            )
        updated[name] = result
    return updated


def _roll_back_paused(
    results: Mapping[str, ServiceResult],
    targets: Sequence[StartedDeployment],
    roll_back_paused: RollBackPaused | None,
) -> dict[str, RollbackResult]:
    """ROLLBACK sent to each paused deployment that takes one, and what came of it."""
    done: dict[str, RollbackResult] = {}
    for target in targets:
        name = target.plan.name
        if roll_back_paused is None:
            continue
        watched = roll_back_paused(results[name], target.plan.timeout_seconds)
        if watched is None:
            continue
        worked = watched.verdict.outcome is Outcome.ROLLED_BACK
        done[name] = RollbackResult(
            task_definition_arn=target.plan.current_task_definition_arn,
            outcome=Outcome.SUCCEEDED if worked else watched.verdict.outcome,
            reason=watched.verdict.reason,
        )
    return done
