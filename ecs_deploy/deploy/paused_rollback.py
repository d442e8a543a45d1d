"""Roll back a blue/green deployment this run left paused (outcome ready) when the application
as a whole failed (rollback-scope: all): send ROLLBACK the way `ecs-deploy continue` does
(ContinueServiceDeployment ROLLBACK at the PAUSE hook; CodeDeploy StopDeployment with automatic
rollback) and wait for it. Redeploying the previous revision instead would leave the paused
deployment holding its traffic (CodeDeploy) or racing ours (ECS).
"""

from __future__ import annotations

from ecs_deploy.aws.codedeploy import CodeDeployApi
from ecs_deploy.aws.ecs import EcsApi
from ecs_deploy.config.bluegreen import ContinueAction, ContinueSpec
from ecs_deploy.config.continuing import ContinueSettings
from ecs_deploy.deploy.continuing import run_continue
from ecs_deploy.deploy.verdict import Verdict
from ecs_deploy.deploy.watch import WatchedVerdict, WatchLoop
from ecs_deploy.errors import DeployError, PreflightError
from ecs_deploy.report.console import Reporter
from ecs_deploy.results import Outcome, ServiceResult


def paused_target(result: ServiceResult) -> ContinueSpec | None:
    """What to send ROLLBACK to; None when the service is not paused where ROLLBACK applies
    (an ECS stage with no hook: the previous revision is redeployed instead).

    A CodeDeploy deployment that landed but is in its termination wait (InProgress) still
    holds the group, so a new deployment of the previous revision would be refused; it is
    stopped with automatic rollback instead, while the original task set still exists."""
    blue_green = result.blue_green
    if blue_green is None:
        return None
    terminating = (
        result.outcome is Outcome.SUCCEEDED
        and blue_green.strategy == "codedeploy"
        and blue_green.status == "InProgress"
    )
    if result.outcome is not Outcome.READY and not terminating:
        return None
    if blue_green.strategy == "codedeploy" and blue_green.deployment_id:
        return ContinueSpec(blue_green.deployment_id, ContinueAction.ROLLBACK)
    if blue_green.deployment_arn and blue_green.hook_id:
        return ContinueSpec(blue_green.deployment_arn, ContinueAction.ROLLBACK, blue_green.hook_id)
    return None


class PausedRollback:
    def __init__(
        self,
        ecs: EcsApi,
        codedeploy: CodeDeployApi | None,
        reporter: Reporter,
        loop: WatchLoop,
    ) -> None:
        self._ecs = ecs
        self._codedeploy = codedeploy
        self._reporter = reporter
        self._loop = loop

    def __call__(self, result: ServiceResult, timeout_seconds: float) -> WatchedVerdict | None:
        target = paused_target(result)
        if target is None:
            return None
        settings = ContinueSettings(
            target=target,
            timeout_seconds=timeout_seconds,
            poll_interval_seconds=self._loop.poll_interval,
        )
        try:
            run = run_continue(settings, self._ecs, self._codedeploy, self._reporter, self._loop)
        except PreflightError:
            return None  # no longer paused (nothing was sent): the previous revision is redeployed
        except DeployError as exc:
            return WatchedVerdict(Verdict(Outcome.FAILED, f"could not roll back: {exc}"), 0.0)
        (service,) = run.services
        return WatchedVerdict(
            Verdict(service.outcome, service.reason or ""),
            service.seconds,
            None,
            service.blue_green,
        )
