"""Start and watch each service the way its strategy says (deploy/strategies/): rolling and
ECS-native blue/green through UpdateService and DescribeServices, CodeDeploy through
CreateDeployment and GetDeployment. All of a run's deployments wait in one loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ecs_deploy.aws.codedeploy import CodeDeployApi
from ecs_deploy.aws.ecs import EcsApi
from ecs_deploy.aws.logs import LogsApi
from ecs_deploy.config.settings import FailFastPolicy
from ecs_deploy.deploy.clock import Clock
from ecs_deploy.deploy.registrar import Registrar
from ecs_deploy.deploy.started import StartedDeployment
from ecs_deploy.deploy.strategies.codedeploy import (
    CodeDeployTracker,
    start_codedeploy,
    watch_codedeploy,
)
from ecs_deploy.deploy.strategies.ecs_blue_green import watch_ecs_blue_green
from ecs_deploy.deploy.strategies.rolling import follow_rolling, start_rolling, watch_rolling
from ecs_deploy.deploy.watch import Watched, WatchedVerdict, WatchLoop
from ecs_deploy.errors import DeployError
from ecs_deploy.plan.deployment import ServicePlan
from ecs_deploy.plan.strategy import Strategy
from ecs_deploy.report.github_files import append_outputs
from ecs_deploy.results import BlueGreenResult


def start_service(
    plan: ServicePlan,
    ecs: EcsApi,
    codedeploy: CodeDeployApi | None,
    registrar: Registrar,
    clock: Clock,
) -> StartedDeployment:
    if plan.follows is not None:  # never set for CodeDeploy (planning: no redeploy there)
        return follow_rolling(plan, clock)
    if plan.strategy is Strategy.CODEDEPLOY:
        if codedeploy is None:
            raise DeployError(f"{plan.name}: CodeDeploy is needed but no client was given")
        return start_codedeploy(plan, codedeploy, registrar, clock)
    return start_rolling(plan, ecs, registrar, clock)


@dataclass(frozen=True, slots=True)
class Watching:
    """What the trackers of a run's deployments need besides the deployment itself."""

    loop: WatchLoop
    ecs: EcsApi
    logs: LogsApi | None
    codedeploy: CodeDeployApi | None
    clock: Clock
    policy: FailFastPolicy
    stop_codedeploy_on_timeout: bool

    def watched(self, deployment: StartedDeployment, run_deadline: float | None) -> Watched:
        strategy = deployment.plan.strategy
        if strategy is Strategy.CODEDEPLOY:
            if self.codedeploy is None:
                raise DeployError(f"{deployment.name}: CodeDeploy is needed but no client")
            tracker = CodeDeployTracker.of(
                deployment, run_deadline, self.stop_codedeploy_on_timeout
            )
            return watch_codedeploy(tracker, self.codedeploy, self.clock)
        if deployment.plan.ecs_blue_green is not None:
            return watch_ecs_blue_green(deployment, run_deadline, self.policy, self.ecs, self.logs)
        return watch_rolling(deployment, run_deadline, self.policy, self.ecs, self.logs)

    def watch(
        self, started: Sequence[StartedDeployment], run_deadline: float | None = None
    ) -> dict[str, WatchedVerdict]:
        return self.loop.run([self.watched(d, run_deadline) for d in started])


def announce_started(output: Path | None, started: Sequence[StartedDeployment]) -> None:
    """codedeploy-deployment-id as soon as it exists: a later step can act while we wait.

    The final outputs repeat it; GitHub keeps the last value written.
    """
    first = next((d for d in started if d.plan.strategy is Strategy.CODEDEPLOY), None)
    if output is not None and first is not None and first.deployment_id:
        append_outputs(output, {"codedeploy-deployment-id": first.deployment_id})


def started_blue_green(deployment: StartedDeployment) -> BlueGreenResult | None:
    """What is known of a blue/green deployment not waited for (or not judged)."""
    strategy = deployment.plan.strategy
    if strategy is Strategy.ROLLING:
        return None
    return BlueGreenResult(strategy=strategy.value, deployment_id=deployment.deployment_id)
