"""The rolling tracker on snapshots: each AWS behaviour the verdict must survive, no AWS calls.

Sources (quoted in tests/replay/recorded/SOURCES.md):
- Circuit breaker: "When the rollback starts, the deployment changes from a COMPLETED to
  IN_PROGRESS" (ECS developer guide, "How the Amazon ECS deployment circuit breaker detects
  failures"); a new deployment "rolling back to deploymentId ..." is the other shape seen.
- "duplicate event messages are omitted until either the cause is resolved or six hours
  passes" (ECS developer guide, "Amazon ECS service event messages").
- thresholdConfiguration COUNT / BOUNDED_PERCENT / UNBOUNDED_PERCENT (botocore ecs model).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from ecs_deploy.deploy.strategies.rolling import ROLLBACK_APPEARS_WITHIN, match_record
from ecs_deploy.deploy.watch import Problem, RecordsRead
from ecs_deploy.errors import AwsError
from ecs_deploy.results import Outcome
from tests.unit.deploy.support import (
    OLD,
    OLD_ID,
    OUR_ID,
    OURS,
    T0,
    deployment,
    record,
    service,
    snapshot,
    stopped_task,
    tracker,
)

LATER = T0 + timedelta(minutes=3)
EARLIER = T0 - timedelta(hours=2)
FAILED_REASON = "ECS deployment circuit breaker: tasks failed to start."


def in_progress(**counts: int) -> dict[str, object]:
    return deployment(OUR_ID, "PRIMARY", "IN_PROGRESS", OURS, **counts)


def old(status: str, rollout: str, *, updated: object = None) -> dict[str, object]:
    return deployment(OLD_ID, status, rollout, OLD, created=EARLIER, updated=updated or EARLIER)


def test_in_progress_has_no_verdict_and_completed_succeeds() -> None:
    watch = tracker()
    first = watch.observe(
        snapshot(watch, service(OURS, in_progress(), old("ACTIVE", "COMPLETED"))), 1
    )
    assert first.verdict is None
    done = service(OURS, deployment(OUR_ID, "PRIMARY", "COMPLETED", OURS, runningCount=2))
    verdict = watch.observe(snapshot(watch, done), 2).verdict
    assert verdict is not None and verdict.outcome is Outcome.SUCCEEDED


@pytest.mark.parametrize("shape", ["reuse", "new"])
def test_rolled_back_only_once_ecs_s_rollback_completed(shape: str) -> None:
    watch = tracker()
    watch.observe(snapshot(watch, service(OURS, in_progress(), old("ACTIVE", "COMPLETED"))), 1)
    if shape == "reuse":
        # The last COMPLETED deployment goes back to IN_PROGRESS (same id, created before ours).
        rolling = old("PRIMARY", "IN_PROGRESS", updated=LATER)
        done = old("PRIMARY", "COMPLETED", updated=LATER)
    else:
        reason = f"ECS deployment circuit breaker: rolling back to deploymentId {OLD_ID}."
        rolling = deployment("ecs-svc/3", "PRIMARY", "IN_PROGRESS", OLD, created=LATER)
        rolling["rolloutStateReason"] = reason
        done = {**rolling, "rolloutState": "COMPLETED"}
    failed = deployment(OUR_ID, "ACTIVE", "FAILED", OURS, rolloutStateReason=FAILED_REASON)
    # ECS's rollback runs: not rolled back yet, and ECS is known to be rolling back.
    step = watch.observe(snapshot(watch, service(OLD, rolling, failed)), 2)
    assert step.verdict is None and watch.ecs_rolling_back
    # None of our tasks ran: our FAILED deployment drains and leaves deployments[] at once.
    assert watch.observe(snapshot(watch, service(OLD, rolling)), 3).verdict is None
    verdict = watch.observe(snapshot(watch, service(OLD, done)), 4).verdict
    assert verdict is not None and verdict.outcome is Outcome.ROLLED_BACK
    assert verdict.ecs_rollback and "circuit breaker" in verdict.reason


def test_a_rollback_seen_only_after_ours_left_deployments_is_rolled_back() -> None:
    """The poll never sees FAILED (the drain took a second): the re-activated deployment that
    was PRIMARY before our update tells it (it used to be 'a stale read' forever)."""
    watch = tracker()
    watch.observe(snapshot(watch, service(OURS, in_progress(), old("ACTIVE", "COMPLETED"))), 1)
    assert (
        watch.observe(
            snapshot(watch, service(OLD, old("PRIMARY", "IN_PROGRESS", updated=LATER))), 2
        ).verdict
        is None
    )
    verdict = watch.observe(
        snapshot(watch, service(OLD, old("PRIMARY", "COMPLETED", updated=LATER))), 3
    ).verdict
    assert verdict is not None and verdict.outcome is Outcome.ROLLED_BACK


def test_a_read_from_before_our_update_is_looked_at_again() -> None:
    watch = tracker()
    stale = service(OLD, old("PRIMARY", "COMPLETED"))  # not updated since our update
    for poll in range(5):
        assert watch.observe(snapshot(watch, stale), poll).verdict is None


def test_a_failed_rollback_is_failed_neither_revision() -> None:
    watch = tracker()
    rollback = deployment("ecs-svc/3", "PRIMARY", "FAILED", OLD, created=LATER)
    rollback["rolloutStateReason"] = (
        f"ECS deployment circuit breaker: rolling back to deploymentId {OLD_ID}."
    )
    failed = deployment(OUR_ID, "ACTIVE", "FAILED", OURS, rolloutStateReason=FAILED_REASON)
    verdict = watch.observe(snapshot(watch, service(OLD, rollback, failed)), 1).verdict
    assert verdict is not None and verdict.outcome is Outcome.FAILED
    assert "neither revision" in verdict.reason


def test_failed_waits_a_bounded_time_for_ecs_s_rollback_to_show() -> None:
    """A COMPLETED deployment is there to return to: the rollback is expected, waited for a
    bounded time (never assumed: no ecs_rollback until one is seen), then failed."""
    watch = tracker()
    failed = service(
        OURS,
        deployment(OUR_ID, "PRIMARY", "FAILED", OURS, rolloutStateReason=FAILED_REASON),
        old("ACTIVE", "COMPLETED"),
    )
    for now in (0, 60, ROLLBACK_APPEARS_WITHIN - 1):
        assert watch.observe(snapshot(watch, failed), now).verdict is None
    assert not watch.ecs_rolling_back
    verdict = watch.observe(snapshot(watch, failed), ROLLBACK_APPEARS_WITHIN).verdict
    assert verdict is not None and verdict.outcome is Outcome.FAILED and not verdict.ecs_rollback
    assert "did not show" in verdict.reason


def test_failed_without_a_completed_deployment_to_return_to_is_failed_at_once() -> None:
    """ "When the deployment circuit breaker does not find a deployment that is in a
    COMPLETED state, ... the deployment is stalled" (developer guide)."""
    watch = tracker()
    failed = service(
        OURS, deployment(OUR_ID, "PRIMARY", "FAILED", OURS, rolloutStateReason=FAILED_REASON)
    )
    verdict = watch.observe(snapshot(watch, failed), 1).verdict
    assert verdict is not None and verdict.outcome is Outcome.FAILED
    assert "did not roll back" in verdict.reason


def test_someone_else_s_deployment_over_ours_in_progress_is_superseded() -> None:
    """The recorded AWS answer with ours = the ACTIVE, in-progress deployment: another
    deployment replaced it (and then failed and was rolled back): superseded, not ours
    rolled back."""
    watch = tracker()
    ours = deployment(OUR_ID, "ACTIVE", "IN_PROGRESS", OURS)
    theirs = deployment("ecs-svc/9", "PRIMARY", "IN_PROGRESS", OLD, created=LATER)
    verdict = watch.observe(snapshot(watch, service(OLD, theirs, ours)), 1).verdict
    assert verdict is not None and verdict.outcome is Outcome.SUPERSEDED
    rolling = old("PRIMARY", "IN_PROGRESS", updated=LATER)
    assert watch._rollback_deployment(service(OLD, rolling, ours)) is None


def test_a_redeploy_of_the_same_revision_rolled_back_is_not_a_success() -> None:
    """force-new-deployment of :2 over :2: the re-activated deployment runs our revision too,
    but it is ECS's rollback, not "a later deployment of our task definition"."""
    watch = tracker()
    watch.observe(snapshot(watch, service(OURS, in_progress())), 1)
    same = deployment(OLD_ID, "PRIMARY", "IN_PROGRESS", OURS, created=EARLIER, updated=LATER)
    same["rolloutStateReason"] = (
        f"ECS deployment circuit breaker: rolling back to deploymentId {OLD_ID}."
    )
    assert watch.observe(snapshot(watch, service(OURS, same)), 2).verdict is None
    done = {**same, "rolloutState": "COMPLETED", "rolloutStateReason": "completed"}
    verdict = watch.observe(snapshot(watch, service(OURS, done)), 3).verdict
    assert verdict is not None and verdict.outcome is Outcome.ROLLED_BACK


def test_someone_else_s_deployment_after_ours_failed_is_not_ecs_s_rollback() -> None:
    watch = tracker()
    failed = deployment(OUR_ID, "ACTIVE", "FAILED", OURS, rolloutStateReason=FAILED_REASON)
    theirs = deployment(
        "ecs-svc/9", "PRIMARY", "IN_PROGRESS", OLD.replace(":1", ":3"), created=LATER
    )
    verdict = watch.observe(snapshot(watch, service(OLD, theirs, failed)), 1).verdict
    # Superseded, not failed: a rollback of ours would undo their deployment.
    assert verdict is not None and verdict.outcome is Outcome.SUPERSEDED
    assert "replaced it" in verdict.reason and not verdict.ecs_rollback


def test_a_stale_read_stamped_just_before_our_deployment_is_not_a_rollback() -> None:
    watch = tracker()
    stale = old("PRIMARY", "COMPLETED", updated=T0 - timedelta(milliseconds=300))
    assert watch.observe(snapshot(watch, service(OLD, stale)), 1).verdict is None


def test_breaker_without_rollback_is_failed_at_once() -> None:
    watch = tracker()
    failed = service(
        OURS,
        deployment(OUR_ID, "PRIMARY", "FAILED", OURS, rolloutStateReason=FAILED_REASON),
        breaker={"enable": True, "rollback": False},
    )
    verdict = watch.observe(snapshot(watch, failed), 1).verdict
    assert verdict is not None and verdict.outcome is Outcome.FAILED


def test_a_newer_deployment_of_another_revision_is_superseded() -> None:
    watch = tracker()
    watch.observe(snapshot(watch, service(OURS, in_progress())), 1)
    theirs = deployment("ecs-svc/4", "PRIMARY", "IN_PROGRESS", OLD, created=LATER)
    verdict = watch.observe(snapshot(watch, service(OLD, theirs)), 2).verdict
    assert verdict is not None and verdict.outcome is Outcome.SUPERSEDED


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("ROLLBACK_REQUESTED", None),
        ("ROLLBACK_IN_PROGRESS", None),
        ("ROLLBACK_SUCCESSFUL", Outcome.ROLLED_BACK),
        ("ROLLBACK_FAILED", Outcome.FAILED),
    ],
)
def test_the_service_deployment_record_says_when_the_rollback_finished(
    status: str, outcome: Outcome | None
) -> None:
    watch = tracker()
    failed = deployment(OUR_ID, "PRIMARY", "FAILED", OURS, rolloutStateReason=FAILED_REASON)
    state = service(OURS, failed)
    verdict = watch.observe(snapshot(watch, state, records=[record(status)]), 1).verdict
    assert (verdict.outcome if verdict else None) is outcome
    assert watch.ecs_rolling_back


def test_records_denied_warn_once_and_the_verdict_still_comes() -> None:
    watch = tracker()
    failed = service(OLD, old("PRIMARY", "IN_PROGRESS", updated=LATER))
    read = RecordsRead("demo", "web", watch._records_read().since)
    denied = {read: (Problem.DENIED, "ListServiceDeployments failed: AccessDeniedException")}
    watch.observe(snapshot(watch, service(OURS, in_progress())), 1)
    step = watch.observe(snapshot(watch, failed, problems=denied), 2)
    assert [text for _, text in step.notes if "unavailable" in text]
    assert (
        not watch.records_usable
        and list(watch.followups(snapshot(watch, failed)))
        == [
            # no more ListServiceDeployments once denied
        ]
    )
    done = service(OLD, old("PRIMARY", "COMPLETED", updated=LATER))
    verdict = watch.observe(snapshot(watch, done), 3).verdict
    assert verdict is not None and verdict.outcome is Outcome.ROLLED_BACK


def test_a_permanent_error_reading_the_service_ends_the_wait() -> None:
    watch = tracker()
    from ecs_deploy.deploy.watch import ServiceRead

    read = ServiceRead("demo", "web")
    problems = {read: (Problem.DENIED, "DescribeServices failed: AccessDeniedException")}
    from ecs_deploy.deploy.watch import Snapshot

    with pytest.raises(AwsError, match="AccessDenied"):
        watch.observe(Snapshot({}, problems), 1)
    transient = {read: (Problem.TRANSIENT, "DescribeServices failed: ThrottlingException")}
    assert watch.observe(Snapshot({}, transient), 2).verdict is None


# -- placement: ECS omits duplicate "unable to place" events ---------------------------------
UNPLACED = (
    "(service web) was unable to place a task because no container instance met all of its "
    "requirements."
)


def test_one_unplaced_event_then_a_pending_task_of_ours_is_progress() -> None:
    watch = tracker(placement_grace_seconds=60)
    blocked = service(OURS, in_progress(), events=(UNPLACED,))
    assert watch.observe(snapshot(watch, blocked), 0).verdict is None
    assert watch.unplaced_since == 0
    # The event is never repeated; a task of ours is PENDING (placed: pulling its image).
    placed = service(OURS, in_progress(pendingCount=1), events=(UNPLACED,))
    assert watch.observe(snapshot(watch, placed), 30).verdict is None
    assert watch.unplaced_since is None
    assert watch.observe(snapshot(watch, placed), 500).verdict is None


def test_unplaced_with_no_progress_stalls_after_the_grace() -> None:
    watch = tracker(placement_grace_seconds=60)
    blocked = service(OURS, in_progress(), events=(UNPLACED,))
    watch.observe(snapshot(watch, blocked), 0)
    assert watch.observe(snapshot(watch, blocked), 59).verdict is None
    verdict = watch.observe(snapshot(watch, blocked), 60).verdict
    assert verdict is not None and verdict.outcome is Outcome.STALLED


def test_a_partial_placement_that_stays_partial_stalls() -> None:
    """Desired 2, one task placed and running, the other never placed (the event is not
    repeated): the same task running is not progress."""
    watch = tracker(placement_grace_seconds=60)
    watch.observe(
        snapshot(watch, service(OURS, in_progress(runningCount=1), events=(UNPLACED,))), 0
    )
    assert (
        watch.observe(snapshot(watch, service(OURS, in_progress(runningCount=1))), 59).verdict
        is None
    )
    verdict = watch.observe(snapshot(watch, service(OURS, in_progress(runningCount=1))), 60).verdict
    assert verdict is not None and verdict.outcome is Outcome.STALLED


def test_a_has_started_event_alone_is_not_progress_of_ours() -> None:
    """'has started' events name no deployment (an old deployment's replacement task says it
    too): only our deployment's own counts reset the placement clock."""
    watch = tracker(placement_grace_seconds=60)
    watch.observe(snapshot(watch, service(OURS, in_progress(), events=(UNPLACED,))), 0)
    started = service(
        OURS, in_progress(), events=(UNPLACED, "(service web) has started 1 tasks: (task a).")
    )
    watch.observe(snapshot(watch, started), 10)
    assert watch.unplaced_since == 0
    placed = service(OURS, in_progress(pendingCount=1))
    watch.observe(snapshot(watch, placed), 20)
    assert watch.unplaced_since is None


# -- start failures: fail fast only on what no retry fixes -----------------------------------
NOT_FOUND = (
    "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to "
    "resolve ref registry.example.com/web:2: registry.example.com/web:2: not found"
)
RATE_LIMITED = (
    "CannotPullContainerError: inspect image has been retried 5 time(s): httpReaderSeeker: "
    "failed open: unexpected status code https://registry-1.docker.io/v2/library/nginx/"
    "manifests/sha256:abc: 429 Too Many Requests - Server message: toomanyrequests: You have "
    "reached your pull rate limit."
)


def failing(count: int) -> object:
    return service(OURS, in_progress(failedTasks=count))


def test_permanent_pull_failures_fail_fast() -> None:
    watch = tracker(max_start_failures=2)
    tasks = [stopped_task(NOT_FOUND, i) for i in range(2)]
    verdict = watch.observe(snapshot(watch, failing(2), stopped=tasks), 1).verdict
    assert verdict is not None and verdict.outcome is Outcome.FAILED
    assert "no retry fixes" in verdict.reason and "not found" in verdict.reason
    assert not verdict.ecs_rollback  # nothing is assumed about ECS's breaker


def test_rate_limited_pulls_are_left_to_the_breaker() -> None:
    watch = tracker(max_start_failures=2)
    tasks = [stopped_task(RATE_LIMITED, i) for i in range(5)]
    assert watch.observe(snapshot(watch, failing(5), stopped=tasks), 1).verdict is None


def test_with_the_breaker_off_retried_failures_stall_at_the_effective_threshold() -> None:
    watch = tracker(max_start_failures=2)
    off = {
        "enable": False,
        "rollback": False,
        "thresholdConfiguration": {"type": "COUNT", "value": 6},
    }
    tasks = [stopped_task(RATE_LIMITED, i) for i in range(5)]
    five = service(OURS, in_progress(failedTasks=5), breaker=off)
    assert watch.observe(snapshot(watch, five, stopped=tasks), 1).verdict is None
    six = service(OURS, in_progress(failedTasks=6), breaker=off)
    verdict = watch.observe(snapshot(watch, six), 2).verdict
    assert verdict is not None and verdict.outcome is Outcome.STALLED


def test_stopped_tasks_are_read_in_the_same_poll_failedtasks_grows() -> None:
    watch = tracker()
    reads = list(watch.followups(snapshot(watch, failing(1))))
    assert any(type(read).__name__ == "StoppedTasksRead" for read in reads)
    watch.observe(snapshot(watch, failing(1), stopped=[stopped_task(NOT_FOUND)]), 1)
    assert not any(
        type(r).__name__ == "StoppedTasksRead" for r in watch.followups(snapshot(watch, failing(1)))
    )


# -- our service deployment on AWS: random ids, no promised createdAt window ------------------
def test_our_record_is_matched_on_its_task_definition_and_time() -> None:
    from ecs_deploy.aws.state import ServiceRevision

    ours = record(
        "IN_PROGRESS",
        arn="sd/ejGvqq2ilnbKT9qj0vLJe",
        created=T0 + timedelta(seconds=3),
        targetServiceRevision={"arn": "rev/ours"},
    )
    before = record(
        "SUCCESSFUL",
        arn="sd/Qw3rTy",
        created=T0 - timedelta(minutes=2),
        targetServiceRevision={"arn": "rev/old"},
    )
    theirs = record(
        "PENDING",
        arn="sd/Zx9",
        created=T0 + timedelta(seconds=40),
        targetServiceRevision={"arn": "rev/theirs"},
    )
    revisions = {
        "rev/ours": ServiceRevision("rev/ours", OURS, None),
        "rev/old": ServiceRevision("rev/old", OLD, None),
        "rev/theirs": ServiceRevision("rev/theirs", OLD, None),
    }
    found = match_record(
        [theirs, ours, before],
        revisions,
        created_at=T0,
        since=T0,
        task_definition=OURS,
        current=theirs.arn,
    )
    assert found is ours
    # A record stamped before our deployment (clock skew) is still ours by its revision.
    skewed = record(
        "IN_PROGRESS",
        arn="sd/Sk3w",
        created=T0 - timedelta(seconds=2),
        targetServiceRevision={"arn": "rev/ours"},
    )
    assert (
        match_record(
            [skewed, before], revisions, created_at=T0, since=T0, task_definition=OURS, current=None
        )
        is skewed
    )
    # A record from an earlier attempt (finished before ours began) is never ours.
    earlier = record(
        "ROLLBACK_SUCCESSFUL",
        arn="sd/Ear1",
        created=T0 - timedelta(seconds=50),
        finishedAt=T0 - timedelta(seconds=5),
        targetServiceRevision={"arn": "rev/ours"},
    )
    assert (
        match_record(
            [earlier], revisions, created_at=T0, since=T0, task_definition=OURS, current=None
        )
        is None
    )
    # Without revisions (DescribeServiceRevisions denied): only records after our update.
    assert (
        match_record(
            [theirs, ours, before], {}, created_at=T0, since=T0, task_definition=OURS, current=None
        )
        is ours
    )
