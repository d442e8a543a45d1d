"""Watch the deployments this run started until each has a verdict or its timeout passes.

One DescribeServices call per 10 services per poll, at a steady interval; the verdict itself
comes from verdict.judge. Fail-fast rules and forensics deepen this piece later.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ecs_deploy.aws.ecs import EcsApi
from ecs_deploy.config.durations import format_duration
from ecs_deploy.deploy.clock import Clock
from ecs_deploy.deploy.rolling import StartedDeployment
from ecs_deploy.deploy.verdict import Verdict, find_deployment, judge
from ecs_deploy.report.console import Reporter
from ecs_deploy.results import Outcome


@dataclass(frozen=True, slots=True)
class WatchedVerdict:
    verdict: Verdict
    seconds: float


class Watcher:
    def __init__(self, ecs: EcsApi, clock: Clock, reporter: Reporter, poll_interval: float) -> None:
        self._ecs = ecs
        self._clock = clock
        self._reporter = reporter
        self._poll_interval = poll_interval

    def watch(
        self, cluster: str, started: Sequence[StartedDeployment]
    ) -> dict[str, WatchedVerdict]:
        pending = {deployment.plan.name: deployment for deployment in started}
        progress = _Progress(self._reporter, {d.plan.name: d.started_wall for d in started})
        verdicts: dict[str, WatchedVerdict] = {}
        while pending:
            services, _missing = self._ecs.describe_services(cluster, list(pending))
            now = self._clock.now()
            for name, deployment in list(pending.items()):
                verdict = self._verdict(services.get(name), deployment, now, progress)
                if verdict is not None:
                    seconds = now - deployment.started_at
                    verdicts[name] = WatchedVerdict(verdict, seconds)
                    self._reporter.verdict(name, verdict.outcome, verdict.reason, seconds)
                    del pending[name]
            if pending:
                nearest_deadline = min(
                    d.started_at + d.plan.timeout_seconds for d in pending.values()
                )
                self._clock.sleep(max(0.0, min(self._poll_interval, nearest_deadline - now)))
        return verdicts

    def _verdict(
        self,
        service: Mapping[str, Any] | None,
        deployment: StartedDeployment,
        now: float,
        progress: _Progress,
    ) -> Verdict | None:
        if service is None:
            return Verdict(Outcome.FAILED, "the service no longer exists")
        progress.show(deployment.plan.name, service, deployment.deployment_id)
        verdict = judge(service, deployment.deployment_id, deployment.task_definition_arn)
        if verdict is None and now - deployment.started_at >= deployment.plan.timeout_seconds:
            ours = find_deployment(service, deployment.deployment_id) or {}
            return Verdict(
                Outcome.TIMED_OUT,
                f"no verdict after {format_duration(deployment.plan.timeout_seconds)}: "
                f"{_counts(ours)}, rollout {ours.get('rolloutState', 'unknown')}",
            )
        return verdict


class _Progress:
    """Prints what changed since the last poll: our deployment's counts and new service events."""

    def __init__(self, reporter: Reporter, since: Mapping[str, datetime]) -> None:
        self._reporter = reporter
        self._since = since
        self._last: dict[str, str] = {}
        self._seen_events: dict[str, set[str]] = {}

    def show(self, name: str, service: Mapping[str, Any], deployment_id: str | None) -> None:
        ours = find_deployment(service, deployment_id) or {}
        line = f"{_counts(ours)}, rollout {ours.get('rolloutState', 'unknown')}"
        if self._last.get(name) != line:
            self._last[name] = line
            self._reporter.progress(name, line)
        seen = self._seen_events.setdefault(name, set())
        since = self._since[name]
        for event in reversed(service.get("events") or []):  # ECS lists newest first
            event_id = str(event.get("id"))
            created = event.get("createdAt")
            if event_id in seen or (isinstance(created, datetime) and created < since):
                continue
            seen.add(event_id)
            self._reporter.service_event(name, str(event.get("message", "")))


def _counts(deployment: Mapping[str, Any]) -> str:
    return (
        f"{deployment.get('runningCount', 0)}/{deployment.get('desiredCount', 0)} running, "
        f"{deployment.get('pendingCount', 0)} pending, {deployment.get('failedTasks', 0)} failed"
    )
