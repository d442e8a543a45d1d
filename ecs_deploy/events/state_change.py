"""The verdict on an "ECS Deployment State Change" event, judged from the service's live state.

The event says which deployment changed and roughly how; the verdict comes from what ECS
shows now (DescribeServices, the service deployments API, the stopped tasks), read through
the aws layer and judged by the rolling tracker the action waits with
(deploy/strategies/rolling.py), with the same forensics. Events arrive late, twice or out of
order (EventBridge promises at-least-once delivery and no order), so the event only chooses
*which* deployment to judge; a late FAILED after the rollback completed is judged on the
state now (rolled back), a COMPLETED that is ECS's rollback is not a success.

Which deployment is judged:
- SERVICE_DEPLOYMENT_FAILED: the deployment it names.
- SERVICE_DEPLOYMENT_IN_PROGRESS with a rollback reason, and SERVICE_DEPLOYMENT_COMPLETED:
  the deployment that failed, when one did at or after the named one began (still in
  deployments[] as FAILED, or named by the service event "(deployment X) deployment failed"):
  the named deployment is then ECS's rollback of it, and the verdict is the failed one's
  (rolled_back once the rollback completed). Otherwise the named deployment itself.
- SERVICE_DEPLOYMENT_IN_PROGRESS without one: nothing to judge yet (`ignored`).
No verdict yet (ECS still rolling back): `pending`; the rollback's own events follow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from ecs_deploy.aws.state import EcsService
from ecs_deploy.config.settings import FailFastPolicy
from ecs_deploy.deploy.clock import Clock
from ecs_deploy.deploy.runner import Clients
from ecs_deploy.deploy.started import StartedDeployment
from ecs_deploy.deploy.strategies.rolling import (
    RollingTracker,
    existing_deployment,
    explainer,
)
from ecs_deploy.deploy.verdict import Verdict as TrackerVerdict
from ecs_deploy.deploy.watch import SourceReader
from ecs_deploy.errors import AwsError, DeployError
from ecs_deploy.events.budget import TimeBudget
from ecs_deploy.events.kinds import COMPLETED, FAILED, KIND_STATE, DeploymentStateChange
from ecs_deploy.events.response import EventResponse, Status, Verdict
from ecs_deploy.events.updater import DEPLOYMENT_FAILED
from ecs_deploy.plan.deployment import ServicePlan, TaskDefinitionPlan
from ecs_deploy.report.console import Reporter

KIND = KIND_STATE
# "(service web) (deployment ecs-svc/123) deployment failed: tasks failed to start."
FAILED_EVENT = re.compile(r"\(deployment (?P<id>[^)\s]+)\) deployment failed")
# A failure this close before the named deployment began still makes it the rollback (ECS
# creates its rollback deployment right after the failure; the clocks are ECS's own).
FAILURE_SKEW = timedelta(seconds=5)
ROLLBACK_RECORD = ("ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL")
OBSERVATIONS = 2  # the second reads the revisions the first records named (rolling.py)


@dataclass(frozen=True, slots=True)
class Subject:
    deployment_id: str
    task_definition: str
    created_at: datetime | None
    seen_at: datetime  # a time on ECS's clock from which its events and records count


def judge(
    change: DeploymentStateChange,
    clients: Clients,
    reporter: Reporter,
    clock: Clock,
    budget: TimeBudget | None = None,
) -> EventResponse:
    """`budget`: the function's time; past its end the verdict is still read and answered,
    but the forensics (stopped tasks, log tails: the slow part) are left out, with a warning."""
    budget = budget or TimeBudget(clock, None)
    if change.event_name not in (COMPLETED, FAILED) and not change.rolling_back:
        return EventResponse(
            KIND,
            Status.IGNORED,
            f"{change.service}: {change.event_name} for {change.deployment_id}: the verdict "
            "comes with its COMPLETED or FAILED event",
        )
    ecs = clients.ecs
    service = ecs.service_states(change.cluster, [change.service]).get(change.service)
    if service is None:
        return EventResponse(
            KIND, Status.IGNORED, f"service '{change.service}' no longer exists: nothing to judge"
        )
    subject = _subject(change, service, clients)
    started = _started(change, subject, clients, clock)
    # Records at every read: ECS's own words on a deployment that may be gone already.
    tracker = RollingTracker(started, clock.now(), FailFastPolicy(), records_every_poll=True)
    verdict = _observe(tracker, SourceReader(ecs, clients.codedeploy), clock)
    about = f"{change.service}: deployment {subject.deployment_id}"
    if subject.deployment_id != change.deployment_id:
        about += f" (ECS's {change.event_name} of {change.deployment_id})"
    if verdict is None:
        return EventResponse(
            KIND,
            Status.PENDING,
            f"{about}: no verdict yet (ECS is still deploying or rolling back); its next "
            "state change gives it",
        )
    evidence = None
    if not verdict.outcome.ok and budget.seconds_left(1.0) > 0:
        evidence = explainer(tracker, ecs, clients.logs)(verdict)
    elif not verdict.outcome.ok:
        reporter.warning(f"{about}: no forensics: the function's time ran out")
    reporter.verdict(change.service, verdict.outcome, verdict.reason, 0.0, evidence)
    result = Verdict(
        cluster=change.cluster,
        service=change.service,
        deployment_id=subject.deployment_id,
        outcome=verdict.outcome.value,
        reason=verdict.reason,
        forensics=evidence,
    )
    status = Status.SUCCEEDED if verdict.outcome.ok else Status.FAILED
    error = None if verdict.outcome.ok else DEPLOYMENT_FAILED  # the outcome is in `verdict`
    return EventResponse(
        KIND,
        status,
        f"{about}: {verdict.outcome.value}: {verdict.reason}",
        error,
        verdict=result,
    )


def _observe(tracker: RollingTracker, reader: SourceReader, clock: Clock) -> TrackerVerdict | None:
    """The tracker's verdict on the state now: no waiting (the next event comes instead).
    Both looks always: without the second a verdict can be missed, and no event may follow."""
    for _ in range(OBSERVATIONS):
        reads = list(tracker.reads())
        snapshot = reader.read(reads)
        more = list(tracker.followups(snapshot))
        if more:
            snapshot = snapshot.merged(reader.read(more))
        step = tracker.observe(snapshot, clock.now())
        if step.verdict is not None:
            return step.verdict
    return None


def _subject(change: DeploymentStateChange, service: EcsService, clients: Clients) -> Subject:
    named = service.deployment(change.deployment_id)
    begun = named.created_at if named is not None else change.updated_at
    failed_id = None if change.event_name == FAILED else _failed_since(service, change, begun)
    subject_id = failed_id or change.deployment_id
    live = service.deployment(subject_id)
    seen = begun or datetime.now().astimezone()
    if live is not None:
        return Subject(subject_id, live.task_definition, live.created_at, live.created_at or seen)
    # Gone from deployments[] (ECS drops a FAILED deployment once its tasks stopped): its
    # task definition and start from its service deployment, where the API allows; else the
    # task definition its stopped tasks ran (for the forensics' log settings).
    task_definition, created = _from_records(change, clients, seen)
    if not task_definition:
        task_definition = _from_stopped_tasks(change, subject_id, clients)
    return Subject(subject_id, task_definition, created, created or seen)


def _failed_since(
    service: EcsService, change: DeploymentStateChange, begun: datetime | None
) -> str | None:
    """Another deployment that failed at or after `begun`: the named one is its rollback."""
    failed = [
        d
        for d in service.deployments
        if d.rollout_state == "FAILED"
        and d.id != change.deployment_id
        and _since(d.updated_at or d.created_at, begun)
    ]
    if failed:
        return max(failed, key=lambda d: d.updated_at or d.created_at or datetime.min).id
    for event in service.events:  # newest first
        match = FAILED_EVENT.search(event.message)
        if match is None or match.group("id") == change.deployment_id:
            continue
        if _since(event.created_at, begun):
            return match.group("id")
        break  # older than the named deployment: not its story
    return None


def _since(moment: datetime | None, begun: datetime | None) -> bool:
    """At or after `begun` (within FAILURE_SKEW); unknown times count (nothing to tell by)."""
    return begun is None or moment is None or moment >= begun - FAILURE_SKEW


def _from_records(
    change: DeploymentStateChange, clients: Clients, seen: datetime
) -> tuple[str, datetime | None]:
    ecs = clients.ecs
    try:
        records = ecs.service_deployments_since(
            change.cluster, change.service, seen - timedelta(hours=1)
        )
        record = next((r for r in records if r.status in ROLLBACK_RECORD), None)
        if record is None or record.target_revision_arn is None:
            return "", None
        revision = ecs.service_revisions([record.target_revision_arn]).get(
            record.target_revision_arn
        )
        return (revision.task_definition if revision else ""), record.created_at
    except AwsError:
        return "", None  # judged without: the tracker then has only DescribeServices


def _from_stopped_tasks(change: DeploymentStateChange, deployment_id: str, clients: Clients) -> str:
    try:
        tasks = clients.ecs.stopped_tasks(change.cluster, change.service, deployment_id)
    except AwsError:
        return ""
    return next(
        (str(t.raw.get("taskDefinitionArn")) for t in tasks if t.raw.get("taskDefinitionArn")), ""
    )


def _started(
    change: DeploymentStateChange, subject: Subject, clients: Clients, clock: Clock
) -> StartedDeployment:
    """The deployment to judge, as the tracker knows deployments it started."""
    definition: dict[str, object] = {}
    if subject.task_definition:
        try:
            definition, _ = clients.ecs.describe_task_definition(subject.task_definition)
        except DeployError:
            definition = {}  # forensics then lack essential containers and log settings
    plan = ServicePlan(
        name=change.service,
        cluster=change.cluster,
        current_task_definition_arn=subject.task_definition,
        task_definition=TaskDefinitionPlan(
            family=str(definition.get("family", "")),
            register_params=definition,
            live_arn=subject.task_definition or None,
            changed=False,
        ),
        force_new_deployment=False,
        desired_count=None,
        timeout_seconds=0.0,
    )
    return existing_deployment(
        plan,
        subject.task_definition,
        subject.deployment_id,
        subject.created_at,
        subject.seen_at,
        clock,
    )
