"""keep-revisions: after a successful deploy, deregister what no one runs or returns to.

Only the families this run registered, only ACTIVE revisions beyond the newest N, and never:
- a revision any service of the cluster uses: its taskDefinition, every deployment in
  deployments[] (PRIMARY, ACTIVE, draining) and every task set (CodeDeploy, EXTERNAL), or a
  task not yet STOPPED runs;
- the revision a service ran before this deploy, nor the last one that completed a deployment
  (what a rollback returns to), nor what this run deployed.
DeregisterTaskDefinition (ECS API reference): the revision becomes INACTIVE; tasks and services
that use it go on, but no new task or service, and no UpdateService, can use it. So nothing is
deregistered on a guess: when what the cluster uses cannot be read, nothing is; a denied or
failed call gives one warning and ends the clean-up. The clusters looked at are named, never
guessed (config.inputs refuses keep-revisions without one): the run's, and with environments:
every environment's, all read before the first deregistration; one that cannot be read means
nothing is deregistered. A family that services of clusters outside the file run too needs a
larger N (docs/terraform.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ecs_deploy.aws.ecs import EcsApi, family_of
from ecs_deploy.errors import DeployError
from ecs_deploy.plan.deployment import ServicePlan
from ecs_deploy.report.console import Reporter
from ecs_deploy.results import ServiceResult, revision_of

# Deregistrations in one run: the first run on a family with thousands of revisions should not
# spend minutes on hygiene; the next runs go on where this one stopped.
MAX_DEREGISTER_PER_RUN = 100


def clean_up_revisions(
    keep: int,
    clusters: Sequence[str],
    registered: Sequence[str],
    plans: Sequence[ServicePlan],
    results: Sequence[ServiceResult],
    ecs: EcsApi,
    reporter: Reporter,
) -> tuple[str, ...]:
    """The ARNs deregistered, oldest last."""
    families = list(dict.fromkeys(family_of(arn) for arn in registered))
    if not families:
        reporter.info("keep-revisions: this run registered no revision; nothing to clean up")
        return ()
    if not clusters:  # never "no cluster runs anything": that is not known
        reporter.warning("keep-revisions: nothing deregistered: no cluster to read")
        return ()
    in_use: set[str] = set()
    for cluster in clusters:
        try:
            in_use.update(ecs.revisions_in_use(cluster))
        except DeployError as exc:
            reporter.warning(
                f"keep-revisions: nothing deregistered: what cluster '{cluster}' "
                f"runs could not be read: {exc}"
            )
            return ()
    protected = in_use | set(registered) | set(_returned_to(plans, results))
    done: list[str] = []
    try:
        for family in families:
            for arn in _to_deregister(ecs.active_revisions(family), keep, protected):
                if len(done) >= MAX_DEREGISTER_PER_RUN:
                    reporter.info(
                        f"keep-revisions: {MAX_DEREGISTER_PER_RUN} revisions deregistered; "
                        "the next run goes on"
                    )
                    return tuple(done)
                ecs.deregister_task_definition(arn)
                done.append(arn)
    except DeployError as exc:
        reporter.warning(f"keep-revisions: stopped after {len(done)} deregistered: {exc}")
    if done:
        reporter.info(f"keep-revisions: deregistered {', '.join(revision_of(arn) for arn in done)}")
    return tuple(done)


def _to_deregister(active_newest_first: Sequence[str], keep: int, protected: set[str]) -> list[str]:
    return [arn for arn in active_newest_first[keep:] if arn not in protected]


def _returned_to(plans: Sequence[ServicePlan], results: Sequence[ServiceResult]) -> Iterable[str]:
    for plan in plans:
        yield plan.current_task_definition_arn
        if plan.rollback_task_definition_arn:
            yield plan.rollback_task_definition_arn
    for result in results:
        for arn in (result.previous_task_definition_arn, result.task_definition_arn):
            if arn:
                yield arn
