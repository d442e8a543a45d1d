"""Request hooks at the HTTP layer: what a backend patch cannot fix.

- Every ECS request: the backend of its account and region is patched first (moto creates
  backends lazily and anew on reset), see moto_patches.py.
- ECS CreateService: moto's request parser drops deploymentConfiguration and a few other
  members; they are put on the service and into the answer.
- CodeDeploy GetDeployment, BatchGetDeployments: moto always answers errorInformation and
  rollbackInfo as {}; the emulator's values are put in.
- ECS RunTask: when capacity is chosen to be missing (or a container is never placed), the
  answer is `failures[]` with no tasks, as ECS gives.
- CodeDeploy StopDeployment, ContinueDeployment, ListDeploymentTargets,
  BatchGetDeploymentTargets: moto lacks them; answered from codedeploy.py.
- ECS List/DescribeServiceDeployments, StopServiceDeployment, DescribeServiceRevisions: moto
  lacks them; answered from service_deployments_api.py unless switched off.
- ECS ListTasks (mode list_tasks=strict): startedBy with another filter is refused.
- CodeDeploy List/BatchGetDeploymentTargets of a deployment not started yet: empty, or
  DeploymentNotStartedException (mode codedeploy_targets_before_start=raise).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from moto.codedeploy.models import CodeDeployBackend, codedeploy_backends
from moto.ecs.models import ecs_backends

from . import codedeploy, service_deployments_api, tasks
from .deployments import deployment_configuration
from .middleware import ApiCall, ApiError
from .moto_patches import EmulatedEcsBackend, patch_ecs_backend
from .runtime import EmulatorRuntime

# CreateService members moto's parser drops -> the Service attribute the serializer reads.
CREATE_SERVICE_DROPPED = {
    "deploymentConfiguration": "deployment_configuration",
    "healthCheckGracePeriodSeconds": "health_check_grace_period_seconds",
    "enableECSManagedTags": "enable_ecs_managed_tags",
    "enableExecuteCommand": "enable_execute_command",
    "capacityProviderStrategy": "capacity_provider_strategy",
    "placementConstraints": "placement_constraints",
    "placementStrategy": "placement_strategy",
}

# ListTasks filters startedBy cannot be combined with (list_tasks mode "strict").
LIST_TASKS_FILTERS = ("containerInstance", "family", "serviceName", "desiredStatus", "launchType")

# CodeDeploy answers whose deployment infos need errorInformation/rollbackInfo filled in.
DEPLOYMENT_INFO_KEYS = {"GetDeployment": "deploymentInfo", "BatchGetDeployments": "deploymentsInfo"}

CodeDeployResponder = Callable[[CodeDeployBackend, dict[str, Any]], dict[str, Any]]
CODEDEPLOY_RESPONDERS: dict[str, CodeDeployResponder] = {
    "StopDeployment": codedeploy.stop_deployment,
    "ContinueDeployment": codedeploy.continue_deployment,
    "ListDeploymentTargets": codedeploy.list_deployment_targets,
    "BatchGetDeploymentTargets": codedeploy.batch_get_deployment_targets,
}


class EmulatorHooks:
    def __init__(self, runtime: EmulatorRuntime, service_deployments_api: bool = True) -> None:
        self._runtime = runtime
        # Off: the service deployments API fails like any operation moto lacks (tests cover
        # both a region that has the API and one, like moto, that has not).
        self.service_deployments_api = service_deployments_api

    def before(self, call: ApiCall) -> dict[str, Any] | None:
        if self._runtime.faults.denied(call.service, call.operation):
            raise ApiError(
                "AccessDeniedException",
                f"User: arn:aws:sts::123456789012:assumed-role/deploy/ci is not authorized to "
                f"perform: {call.service}:{call.operation}",
            )
        if call.service == "ecs" and self._tagging_denied(call):
            raise ApiError(
                "AccessDeniedException",
                "User: arn:aws:sts::123456789012:assumed-role/deploy/ci is not authorized to "
                "perform: ecs:TagResource on resource: * because no identity-based policy "
                "allows the ecs:TagResource action",
            )
        if call.service == "ecs":
            ecs_backend = self._ecs(call)
            if call.operation == "ListTasks":
                self._strict_list_tasks(call)
            if call.operation == "RunTask":
                return self._run_task_without_capacity(ecs_backend, call)
            if call.operation in service_deployments_api.RESPONDERS:
                return self._service_deployments(ecs_backend, call)
        if call.service == "codedeploy" and call.operation in CODEDEPLOY_RESPONDERS:
            deploy_backend = codedeploy_backends[call.account][call.region]
            if call.operation in codedeploy.TARGET_OPERATIONS:
                before_start = self._targets_before_start(deploy_backend, call)
                if before_start is not None:
                    return before_start
            try:
                return CODEDEPLOY_RESPONDERS[call.operation](deploy_backend, call.params)
            except codedeploy.CodeDeployError as error:
                raise ApiError(error.code, error.message) from error
        return None

    def after(self, call: ApiCall, payload: bytes) -> bytes:
        if call.service == "ecs" and call.operation == "CreateService":
            return self._create_service_members(call, payload)
        if call.service == "codedeploy" and call.operation in DEPLOYMENT_INFO_KEYS:
            return self._deployment_info(call, payload)
        return payload

    def _tagging_denied(self, call: ApiCall) -> bool:
        """ "If tags are specified in the resource-creating action, AWS performs additional
        authorization" (ECS developer guide, "Grant permission to tag resources on creation"):
        without ecs:TagResource, RegisterTaskDefinition with tags fails. Modelled for
        RegisterTaskDefinition only (the other tag-on-create actions are not)."""
        return (
            call.operation == "RegisterTaskDefinition"
            and bool(call.params.get("tags"))
            and self._runtime.faults.denied("ecs", "TagResource")
        )

    def _strict_list_tasks(self, call: ApiCall) -> None:
        """list_tasks mode "strict": ECS refuses startedBy with any other filter. botocore's
        ListTasks doc: "When you specify startedBy as the filter, it must be the only filter
        that you use."; the answer users see is InvalidParameterException "cannot specify
        startedBy with other arguments" (aws/aws-sdk-go-v2#1893). startedBy alone lists what
        any ListTasks lists: desiredStatus RUNNING ("The default status filter is RUNNING").
        "lenient" (moto's way) filters on all of them."""
        if self._runtime.modes.list_tasks != "strict" or not call.params.get("startedBy"):
            return
        if any(call.params.get(member) for member in LIST_TASKS_FILTERS):
            raise ApiError(
                "InvalidParameterException", "cannot specify startedBy with other arguments"
            )

    def _targets_before_start(
        self, backend: CodeDeployBackend, call: ApiCall
    ) -> dict[str, Any] | None:
        """A CodeDeploy deployment that is Created or Queued has no targets yet. Mode "raise":
        DeploymentNotStartedException "The specified deployment has not started." (the
        exception both operations declare in botocore's CodeDeploy model, with that
        documentation); "empty": empty lists."""
        deployment = backend.deployments.get(str(call.params.get("deploymentId")))
        if deployment is None or deployment.status not in ("Created", "Queued"):
            return None
        if self._runtime.modes.codedeploy_targets_before_start == "raise":
            raise ApiError(
                "DeploymentNotStartedException", "The specified deployment has not started."
            )
        key = "targetIds" if call.operation == "ListDeploymentTargets" else "deploymentTargets"
        return {key: []}

    def _service_deployments(
        self, backend: EmulatedEcsBackend, call: ApiCall
    ) -> dict[str, Any] | None:
        if not self.service_deployments_api:
            # As an endpoint without the operation answers (a 4xx, never a 5xx, which clients
            # rightly retry): UnknownOperationException.
            raise ApiError("UnknownOperationException", f"Unknown operation {call.operation}", 400)
        try:
            return service_deployments_api.RESPONDERS[call.operation](backend, call.params)
        except service_deployments_api.ServiceDeploymentsError as error:
            raise ApiError(error.code, error.message) from error

    def _deployment_info(self, call: ApiCall, payload: bytes) -> bytes:
        body = json.loads(payload)
        found = body.get(DEPLOYMENT_INFO_KEYS[call.operation])
        backend = codedeploy_backends[call.account][call.region]
        for info in found if isinstance(found, list) else [found]:
            if isinstance(info, dict):
                codedeploy.amend_deployment_info(backend, info)
        return json.dumps(body).encode()

    def _create_service_members(self, call: ApiCall, payload: bytes) -> bytes:
        body = json.loads(payload)
        answer = body.get("service") or {}
        backend = self._ecs(call)
        service = backend.services.get(
            f"{answer.get('clusterArn', '').split('/')[-1]}:{answer.get('serviceName')}"
        )
        if service is None:
            return payload
        for member, attribute in CREATE_SERVICE_DROPPED.items():
            if member in call.params:
                setattr(service, attribute, call.params[member])
        if service.deployment_controller.get("type", "ECS") == "ECS":
            service.deployment_configuration = deployment_configuration(service)  # type: ignore[attr-defined]
            answer["deploymentConfiguration"] = service.deployment_configuration  # type: ignore[attr-defined]
        for member, attribute in CREATE_SERVICE_DROPPED.items():
            value = getattr(service, attribute, None)
            if value is not None:
                answer[member] = value
        return json.dumps(body).encode()

    def _ecs(self, call: ApiCall) -> EmulatedEcsBackend:
        backend = ecs_backends[call.account][call.region]
        patch_ecs_backend(backend, self._runtime)
        assert isinstance(backend, EmulatedEcsBackend)
        return backend

    def _run_task_without_capacity(
        self, backend: EmulatedEcsBackend, call: ApiCall
    ) -> dict[str, Any] | None:
        try:
            definition = backend.describe_task_definition(str(call.params.get("taskDefinition")))
        except Exception:  # let moto give its own error for a bad definition
            return None
        faults = self._runtime.faults
        if not faults.run_task_capacity_missing and not tasks.placement_blocked(definition, faults):
            return None
        count = int(call.params.get("count") or 1)
        failure = {"arn": definition.arn, "reason": "RESOURCE:MEMORY"}
        return {"tasks": [], "failures": [dict(failure) for _ in range(count)]}
