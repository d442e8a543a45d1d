"""CodeDeploy calls for ECS blue/green deployments."""

from __future__ import annotations

from typing import Any

import botocore.exceptions

from ecs_deploy.aws.errors import aws_call, error_code, translate
from ecs_deploy.errors import PreflightError

# Deployments in these states hold the group: CodeDeploy refuses another one meanwhile.
ACTIVE_STATUSES = ("Created", "Queued", "InProgress", "Baking", "Ready")

_MISSING = {
    "ApplicationDoesNotExistException": "CodeDeploy application '{application}' not found",
    "DeploymentGroupDoesNotExistException": (
        "CodeDeploy deployment group '{group}' not found in application '{application}'"
    ),
}


class CodeDeployApi:
    def __init__(self, client: Any) -> None:
        self._client = client

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

    def get_deployment(self, deployment_id: str) -> dict[str, Any]:
        with aws_call("GetDeployment"):
            response = self._client.get_deployment(deploymentId=deployment_id)
        return dict(response["deploymentInfo"])

    def lifecycle_events(self, deployment_id: str) -> list[dict[str, Any]]:
        """The ECS target's lifecycle events, in order (empty before CodeDeploy lists them)."""
        with aws_call("ListDeploymentTargets"):
            target_ids = self._client.list_deployment_targets(deploymentId=deployment_id).get(
                "targetIds", []
            )
        if not target_ids:
            return []
        with aws_call("BatchGetDeploymentTargets"):
            targets = self._client.batch_get_deployment_targets(
                deploymentId=deployment_id, targetIds=target_ids[:1]
            ).get("deploymentTargets", [])
        ecs_target = (targets[0].get("ecsTarget") if targets else None) or {}
        return list(ecs_target.get("lifecycleEvents") or [])

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
