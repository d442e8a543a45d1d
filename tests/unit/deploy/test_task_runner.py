"""Standalone tasks survive a flaky DescribeTasks and a StopTask that fails (fakes, no AWS)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from ecs_deploy.deploy.registrar import Registrar
from ecs_deploy.deploy.tasks import TaskRunner
from ecs_deploy.deploy.watch import SourceReader, WatchLoop
from ecs_deploy.errors import AccessDenied, AwsError, TransientAwsError
from ecs_deploy.plan.deployment import TaskDefinitionPlan, TaskRunPlan
from ecs_deploy.report.console import Reporter
from ecs_deploy.results import Outcome

ARN = "arn:aws:ecs:us-east-1:1:task/demo/abc"
DEFINITION = {"family": "migrate", "containerDefinitions": [{"name": "migrate", "image": "m:1"}]}


class FakeClock:
    def __init__(self) -> None:
        self.time = 0.0

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.time += seconds


class FakeEcs:
    """DescribeTasks answers (or errors) in order; StopTask fails when told to."""

    def __init__(self, answers: Sequence[Any], *, stop_fails: bool = False) -> None:
        self.answers = list(answers)
        self.stop_fails = stop_fails
        self.stopped: list[str] = []

    def run_task(self, params: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[Any]]:
        return [{"taskArn": ARN}], []

    def describe_tasks(self, cluster: str, arns: Sequence[str]) -> list[dict[str, Any]]:
        answer = self.answers.pop(0) if self.answers else {"lastStatus": "RUNNING"}
        if isinstance(answer, Exception):
            raise answer
        return [{"taskArn": ARN, **answer}]

    def stop_task(self, cluster: str, task_arn: str, reason: str) -> None:
        if self.stop_fails:
            raise AwsError("StopTask failed: AccessDeniedException: not authorized")
        self.stopped.append(task_arn)


STOPPED_OK = {
    "lastStatus": "STOPPED",
    "containers": [{"name": "migrate", "exitCode": 0}],
}


def run(ecs: FakeEcs, timeout: float = 60.0) -> tuple[Any, str]:
    out = io.StringIO()
    reporter = Reporter(in_actions=False, out=out, err=out)
    definition = TaskDefinitionPlan("migrate", DEFINITION, "arn:td/migrate:1", False)
    plan = TaskRunPlan("migrate", definition, {"cluster": "demo", "count": 1}, timeout)
    loop = WatchLoop(SourceReader(ecs, None), FakeClock(), reporter, poll_interval=5)  # type: ignore[arg-type]
    runner = TaskRunner(
        ecs,  # type: ignore[arg-type]
        None,
        reporter,
        Registrar(ecs),  # type: ignore[arg-type]
        loop,
    )
    [result] = runner.run_phase("pre", [plan])
    return result, out.getvalue()


def test_transient_describe_tasks_errors_are_ridden_out() -> None:
    """More errors in a row than botocore retries: still the task's own verdict, one warning."""
    busy = TransientAwsError("DescribeTasks failed: ThrottlingException: slow down")
    result, output = run(FakeEcs([busy] * 8 + [STOPPED_OK]))
    assert result.outcome is Outcome.SUCCEEDED
    assert output.count("still waiting (transient errors are retried") == 1
    assert "AWS answered again after 40s" in output


def test_an_outage_past_the_timeout_stops_the_task_and_times_out() -> None:
    busy = TransientAwsError("DescribeTasks failed: ServiceUnavailable: busy")
    ecs = FakeEcs([busy] * 100)
    result, _ = run(ecs, timeout=30.0)
    assert result.outcome is Outcome.TIMED_OUT
    assert ecs.stopped == [ARN]


def test_a_stop_task_failure_is_a_warning() -> None:
    ecs = FakeEcs([], stop_fails=True)  # the task keeps running past its timeout
    result, output = run(ecs, timeout=10.0)
    assert result.outcome is Outcome.TIMED_OUT
    assert "could not stop task abc" in output


class DenyingTags:
    """RegisterTaskDefinition refuses tags (no ecs:TagResource) and accepts the rest."""

    def __init__(self) -> None:
        self.calls: list[Mapping[str, Any]] = []

    def register_task_definition(self, params: Mapping[str, Any]) -> dict[str, Any]:
        self.calls.append(params)
        if "tags" in params:
            raise AccessDenied(
                "RegisterTaskDefinition failed: AccessDeniedException: not authorized to "
                "perform: ecs:TagResource"
            )
        return {"taskDefinitionArn": "arn:aws:ecs:us-east-1:1:task-definition/web:2"}


def test_tags_denied_register_once_more_without_them() -> None:
    ecs = DenyingTags()
    warnings: list[str] = []
    registrar = Registrar(ecs, warn=warnings.append)  # type: ignore[arg-type]
    params = {**DEFINITION, "tags": [{"key": "team", "value": "web"}]}
    arn, registered = registrar.arn_for(TaskDefinitionPlan("web", params, None, True))
    assert (arn, registered) == ("arn:aws:ecs:us-east-1:1:task-definition/web:2", True)
    assert ["tags" in call for call in ecs.calls] == [True, False]
    [warning] = warnings
    assert "without its tags" in warning and "ecs:TagResource" in warning
