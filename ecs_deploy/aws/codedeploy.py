"""CodeDeploy calls for ECS blue/green deployments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import botocore.exceptions

from ecs_deploy.aws.errors import aws_call, error_code, translate
from ecs_deploy.aws.state import CodeDeployDeployment, LifecycleEvents
from ecs_deploy.errors import PreflightError

# ListDeploymentTargets / BatchGetDeploymentTargets raise these while a deployment has not
# started or has no target yet (codedeploy's service model declares both): no events yet, not
# an IAM problem.
_NO_TARGETS_YET = frozenset(
    {"DeploymentNotStartedException", "DeploymentTargetDoesNotExistException"}
)

# Deployments in these states hold the group: CodeDeploy refuses another one meanwhile.
ACTIVE_STATUSES = ("Created", "Queued", "InProgress", "Baking", "Ready")

_MISSING = {
    "ApplicationDoesNotExistException": "CodeDeploy application '{application}' not found",
    "DeploymentGroupDoesNotExistException": (
        "CodeDeploy deployment group '{group}' not found in application '{application}'"
    ),
}


class CodeDeployApi:
    def __init__(self, client: Any, renew_client: Callable[[], Any] | None = None) -> None:
        self._client = client
        self._renew_client = renew_client

    def renew_credentials(self) -> bool:
        """A new client from the default credential chain; False when there is no way to."""
        if self._renew_client is None:
            return False
        self._client = self._renew_client()
        return True

    @property
    def region(self) -> str:
        return str(self._client.meta.region_name)

    def check_deployment_group(self, application: str, group: str) -> dict[str, Any]:
        """The group, or a PreflightError naming what is missing (before any change)."""
        try:
            response = self._client.get_deployment_group(
                applicationName=application, deploymentGroupName=group
            )
        except botocore.exceptions.ClientError as exc:
            template = _MISSING.get(error_code(exc))
            if template is not None:
                raise PreflightError(
                    template.format(application=application, group=group)
                    + " (codedeploy-application, codedeploy-deployment-group)"
                ) from None
            raise translate("GetDeploymentGroup", exc) from exc
        except botocore.exceptions.BotoCoreError as exc:
            raise translate("GetDeploymentGroup", exc) from exc
        return dict(response.get("deploymentGroupInfo") or {})

    def active_deployments(self, application: str, group: str) -> list[str]:
        """Ids of the group's deployments not finished yet (first page: one is enough)."""
        with aws_call("ListDeployments"):
            response = self._client.list_deployments(
                applicationName=application,
                deploymentGroupName=group,
                includeOnlyStatuses=list(ACTIVE_STATUSES),
            )
        return [str(d) for d in response.get("deployments") or []]

    def create_deployment(
        self,
        *,
        application: str,
        group: str,
        revision: dict[str, Any],
        description: str | None,
        deployment_config: str | None,
    ) -> str:
        params: dict[str, Any] = {
            "applicationName": application,
            "deploymentGroupName": group,
            "revision": revision,
        }
        if description:
            params["description"] = description
        if deployment_config:
            params["deploymentConfigName"] = deployment_config
        with aws_call("CreateDeployment"):
            response = self._client.create_deployment(**params)
        return str(response["deploymentId"])

    def get_deployment(self, deployment_id: str) -> CodeDeployDeployment:
        with aws_call("GetDeployment"):
            response = self._client.get_deployment(deploymentId=deployment_id)
        return CodeDeployDeployment.from_api(response["deploymentInfo"])

    def lifecycle_events(self, deployment_id: str) -> LifecycleEvents:
        """The ECS target's lifecycle events, in order: empty before the deployment started
        or before CodeDeploy lists its target (DeploymentNotStartedException and friends)."""
        try:
            target_ids = self._client.list_deployment_targets(deploymentId=deployment_id).get(
                "targetIds", []
            )
            if not target_ids:
                return ()
            targets = self._client.batch_get_deployment_targets(
                deploymentId=deployment_id, targetIds=target_ids[:1]
            ).get("deploymentTargets", [])
        except botocore.exceptions.ClientError as exc:
            if error_code(exc) in _NO_TARGETS_YET:
                return ()
            raise translate("ListDeploymentTargets/BatchGetDeploymentTargets", exc) from exc
        except botocore.exceptions.BotoCoreError as exc:
            raise translate("ListDeploymentTargets", exc) from exc
        ecs_target = (targets[0].get("ecsTarget") if targets else None) or {}
        return tuple(
            (str(event.get("lifecycleEventName")), str(event.get("status")))
            for event in ecs_target.get("lifecycleEvents") or ()
        )

    def stop_deployment(self, deployment_id: str, *, auto_rollback: bool) -> None:
        with aws_call("StopDeployment"):
            self._client.stop_deployment(
                deploymentId=deployment_id, autoRollbackEnabled=auto_rollback
            )

    def continue_deployment(self, deployment_id: str, wait_type: str = "READY_WAIT") -> None:
        """READY_WAIT: past Ready, reroute production traffic. TERMINATION_WAIT: end the wait
        before the original task set is terminated (terminate it now)."""
        with aws_call("ContinueDeployment"):
            self._client.continue_deployment(
                deploymentId=deployment_id, deploymentWaitType=wait_type
            )
