"""Start and watch each service the way its strategy says: rolling and ECS-native blue/green
through UpdateService and DescribeServices; CodeDeploy through CreateDeployment and
GetDeployment. Both groups are watched at the same time.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ecs_deploy.aws.codedeploy import CodeDeployApi
from ecs_deploy.aws.ecs import EcsApi
from ecs_deploy.deploy.clock import Clock
from ecs_deploy.deploy.codedeploy import CodeDeployWatcher, start_codedeploy
from ecs_deploy.deploy.registrar import Registrar
from ecs_deploy.deploy.rolling import StartedDeployment, start_rolling
from ecs_deploy.deploy.watch import WatchedVerdict, Watcher
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
    if plan.strategy is Strategy.CODEDEPLOY:
        if codedeploy is None:
            raise DeployError(f"{plan.name}: CodeDeploy is needed but no client was given")
        return start_codedeploy(plan, codedeploy, registrar, clock)
    return start_rolling(plan, ecs, registrar, clock)


def watch_started(
    watcher: Watcher,
    codedeploy_watcher: CodeDeployWatcher | None,
    cluster: str,
    started: Sequence[StartedDeployment],
    run_deadline: float | None = None,
) -> dict[str, WatchedVerdict]:
    on_ecs = [d for d in started if d.plan.strategy is not Strategy.CODEDEPLOY]
    on_codedeploy = [d for d in started if d.plan.strategy is Strategy.CODEDEPLOY]
    if not on_codedeploy or codedeploy_watcher is None:
        return watcher.watch(cluster, on_ecs, run_deadline)
    if not on_ecs:
        return codedeploy_watcher.watch(on_codedeploy, run_deadline)
    with ThreadPoolExecutor(max_workers=2) as pool:
        ecs_verdicts = pool.submit(watcher.watch, cluster, on_ecs, run_deadline)
        codedeploy_verdicts = pool.submit(codedeploy_watcher.watch, on_codedeploy, run_deadline)
        return {**ecs_verdicts.result(), **codedeploy_verdicts.result()}


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
