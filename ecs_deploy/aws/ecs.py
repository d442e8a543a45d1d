"""ECS calls the deploy layer needs, batched the way the API allows."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import botocore.exceptions
import botocore.validate

from ecs_deploy.aws.errors import (
    aws_call,
    describe_validation_report,
    error_code,
    translate,
)
from ecs_deploy.aws.model import ecs_input_shape
from ecs_deploy.aws.state import EcsService, EcsTask, ServiceDeploymentRecord, ServiceRevision
from ecs_deploy.errors import InputError, PreflightError

DESCRIBE_SERVICES_MAX = 10  # DescribeServices accepts at most 10 services per call
DESCRIBE_TASKS_MAX = 100  # DescribeTasks accepts at most 100 tasks per call
MAX_SERVICE_DEPLOYMENTS = 20  # DescribeServiceDeployments / DescribeServiceRevisions take 20


def chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class EcsApi:
    """A thin, typed face over the ECS client. Everything AWS-shaped stays in here."""

    def __init__(self, client: Any, renew_client: Callable[[], Any] | None = None) -> None:
        self._client = client
        self._renew_client = renew_client

    @property
    def region(self) -> str:
        return str(self._client.meta.region_name)

    def renew_credentials(self) -> bool:
        """A new client from the default credential chain; False when there is no way to."""
        if self._renew_client is None:
            return False
        self._client = self._renew_client()
        return True

    def describe_cluster(self, cluster: str) -> dict[str, Any] | None:
        with aws_call("DescribeClusters"):
            response = self._client.describe_clusters(clusters=[cluster])
        found = response.get("clusters") or []
        return found[0] if found else None

    def describe_services(
        self, cluster: str, names: Sequence[str]
    ) -> tuple[dict[str, dict[str, Any]], list[str]]:
        """Services by name, and the names ECS reported missing. ceil(N/10) calls."""
        found: dict[str, dict[str, Any]] = {}
        missing: list[str] = []
        for batch in chunks(list(names), DESCRIBE_SERVICES_MAX):
            try:
                response = self._client.describe_services(cluster=cluster, services=list(batch))
            except botocore.exceptions.ClientError as exc:
                if error_code(exc) == "ClusterNotFoundException":
                    raise PreflightError(f"cluster '{cluster}' not found") from None
                raise translate("DescribeServices", exc) from exc
            except botocore.exceptions.BotoCoreError as exc:
                raise translate("DescribeServices", exc) from exc
            for service in response.get("services", []):
                found[service["serviceName"]] = service
            missing.extend(_failure_name(failure) for failure in response.get("failures", []))
        return found, missing

    def describe_task_definition(
        self, reference: str
    ) -> tuple[dict[str, Any], list[dict[str, str]]]:
        """The task definition and its tags; a missing reference is a preflight error."""
        try:
            response = self._client.describe_task_definition(
                taskDefinition=reference, include=["TAGS"]
            )
        except botocore.exceptions.ClientError as exc:
            if error_code(exc) in ("ClientException", "InvalidParameterException"):
                raise PreflightError(f"task definition '{reference}' not found") from None
            raise translate("DescribeTaskDefinition", exc) from exc
        except botocore.exceptions.BotoCoreError as exc:
            raise translate("DescribeTaskDefinition", exc) from exc
        return response["taskDefinition"], list(response.get("tags") or [])

    def check_parameters(self, operation: str, params: Mapping[str, Any], *, what: str) -> None:
        """boto3's own client-side validation, run before anything is changed."""
        report = botocore.validate.ParamValidator().validate(
            dict(params), ecs_input_shape(operation)
        )
        if report.has_errors():
            detail = describe_validation_report(report.generate_report())
            raise InputError(f"{what} would be rejected by {operation}: {detail}")

    def run_task(
        self, params: Mapping[str, Any]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The tasks started and the failures ECS reported (no capacity, ...)."""
        with aws_call("RunTask"):
            response = self._client.run_task(**params)
        return list(response.get("tasks", [])), list(response.get("failures", []))

    def stop_task(self, cluster: str, task_arn: str, reason: str) -> None:
        with aws_call("StopTask"):
            self._client.stop_task(cluster=cluster, task=task_arn, reason=reason[:255])

    def register_task_definition(self, params: Mapping[str, Any]) -> dict[str, Any]:
        with aws_call("RegisterTaskDefinition"):
            response = self._client.register_task_definition(**params)
        return dict(response["taskDefinition"])

    def update_service(
        self,
        *,
        cluster: str,
        service: str,
        task_definition: str,
        force_new_deployment: bool,
        desired_count: int | None,
        extra: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        # desiredCount is sent only when asked: autoscaling or Terraform often own it.
        params: dict[str, Any] = {
            "cluster": cluster,
            "service": service,
            "taskDefinition": task_definition,
            "forceNewDeployment": force_new_deployment,
        }
        if desired_count is not None:
            params["desiredCount"] = desired_count
        params.update(extra or {})  # further UpdateService parameters the inputs asked for
        with aws_call("UpdateService"):
            response = self._client.update_service(**params)
        return dict(response["service"])

    def tag_resource(self, arn: str, tags: Sequence[tuple[str, str]]) -> None:
        """Set ECS tags on a resource (a service): existing keys get the new values."""
        with aws_call("TagResource"):
            self._client.tag_resource(
                resourceArn=arn, tags=[{"key": key, "value": value} for key, value in tags]
            )

    def service_states(self, cluster: str, names: Sequence[str]) -> dict[str, EcsService | None]:
        """Each service as typed state; None for one ECS reports missing."""
        found, missing = self.describe_services(cluster, names)
        states: dict[str, EcsService | None] = {
            name: EcsService.from_api(raw) for name, raw in found.items()
        }
        states.update({name: None for name in missing if name not in states})
        return states

    def stopped_tasks(
        self, cluster: str, service: str, started_by: str, known: Collection[str] = ()
    ) -> list[EcsTask]:
        """The stopped tasks of one deployment of a service, but those in `known`.

        ListTasks by serviceName + desiredStatus, then keep the tasks whose startedBy is the
        deployment: botocore's model says "When you specify startedBy as the filter, it must
        be the only filter that you use", so startedBy is never combined with another filter.
        Every page is read (fabfuel stopped at the first 100).
        """
        arns: list[str] = []
        with aws_call("ListTasks"):
            pages = self._client.get_paginator("list_tasks").paginate(
                cluster=cluster, serviceName=service, desiredStatus="STOPPED"
            )
            for page in pages:
                arns.extend(page.get("taskArns", []))
        new = [arn for arn in arns if arn not in known]
        tasks = [EcsTask.from_api(raw) for raw in self.describe_tasks(cluster, new)]
        return [task for task in tasks if task.started_by == started_by]

    def describe_tasks(self, cluster: str, arns: Sequence[str]) -> list[dict[str, Any]]:
        """In chunks of 100, the most DescribeTasks accepts."""
        tasks: list[dict[str, Any]] = []
        for batch in chunks(list(arns), DESCRIBE_TASKS_MAX):
            with aws_call("DescribeTasks"):
                response = self._client.describe_tasks(cluster=cluster, tasks=list(batch))
            tasks.extend(response.get("tasks", []))
        return tasks

    def service_deployments_since(
        self, cluster: str, service: str, since: datetime
    ) -> list[ServiceDeploymentRecord]:
        """Service deployments created since `since`, newest first (first 20).

        Raises OperationUnsupported where the API is absent (a 4xx; a 5xx is transient),
        AccessDenied where the policy lacks it: the caller stops asking after either.
        """
        with aws_call("ListServiceDeployments"):
            listed = self._client.list_service_deployments(
                cluster=cluster, service=service, createdAt={"after": since}
            )
        arns = [item["serviceDeploymentArn"] for item in listed.get("serviceDeployments", [])]
        if not arns:
            return []
        with aws_call("DescribeServiceDeployments"):
            described = self._client.describe_service_deployments(
                serviceDeploymentArns=arns[:MAX_SERVICE_DEPLOYMENTS]
            )
        found = [
            ServiceDeploymentRecord.from_api(raw) for raw in described.get("serviceDeployments", [])
        ]
        return sorted(found, key=lambda r: r.created_at or since, reverse=True)

    def service_revisions(self, arns: Sequence[str]) -> dict[str, ServiceRevision]:
        """Service revisions by ARN (what a service deployment deploys: its task definition)."""
        revisions: dict[str, ServiceRevision] = {}
        for batch in chunks(list(dict.fromkeys(arns)), MAX_SERVICE_DEPLOYMENTS):
            with aws_call("DescribeServiceRevisions"):
                response = self._client.describe_service_revisions(serviceRevisionArns=list(batch))
            for raw in response.get("serviceRevisions", []):
                revision = ServiceRevision.from_api(raw)
                revisions[revision.arn] = revision
        return revisions

    # -- revision hygiene (keep-revisions) ---------------------------------------------------
    def active_revisions(self, family: str) -> list[str]:
        """ARNs of the family's ACTIVE revisions, newest first.

        ListTaskDefinitions with familyPrefix (the API reference: "The full family name"),
        status ACTIVE and sort DESC ("the newest task definitions in a family are listed
        first"), every page read; the order is still made here from the revision numbers and
        other families are left out, so nothing rests on how an endpoint sorts or filters.
        """
        arns: list[str] = []
        with aws_call("ListTaskDefinitions"):
            pages = self._client.get_paginator("list_task_definitions").paginate(
                familyPrefix=family, status="ACTIVE", sort="DESC"
            )
            for page in pages:
                arns.extend(page.get("taskDefinitionArns", []))
        mine = [arn for arn in arns if family_of(arn) == family]
        return sorted(set(mine), key=revision_number, reverse=True)

    def deregister_task_definition(self, arn: str) -> None:
        with aws_call("DeregisterTaskDefinition"):
            self._client.deregister_task_definition(taskDefinition=arn)

    def revisions_in_use(self, cluster: str) -> frozenset[str]:
        """Every task definition the cluster uses: each service's, each of its deployments'
        (PRIMARY, ACTIVE, whatever their state) and task sets' (CodeDeploy and EXTERNAL
        controllers keep the blue and green revisions there, not in deployments[]), and each
        task's that is not STOPPED yet (desired RUNNING, or desired STOPPED and stopping)."""
        in_use: set[str] = set()
        service_arns: list[str] = []
        with aws_call("ListServices"):
            for page in self._client.get_paginator("list_services").paginate(cluster=cluster):
                service_arns.extend(page.get("serviceArns", []))
        found, _ = self.describe_services(cluster, service_arns)
        for raw in found.values():
            service = EcsService.from_api(raw)
            in_use.add(service.task_definition)
            in_use.update(deployment.task_definition for deployment in service.deployments)
            in_use.update(
                str(task_set.get("taskDefinition")) for task_set in raw.get("taskSets") or []
            )
        task_arns: list[str] = []
        with aws_call("ListTasks"):
            for status in ("RUNNING", "STOPPED"):
                pages = self._client.get_paginator("list_tasks").paginate(
                    cluster=cluster, desiredStatus=status
                )
                for page in pages:
                    task_arns.extend(page.get("taskArns", []))
        for raw in self.describe_tasks(cluster, task_arns):
            if raw.get("lastStatus") != "STOPPED" and raw.get("taskDefinitionArn"):
                in_use.add(str(raw["taskDefinitionArn"]))
        return frozenset(arn for arn in in_use if arn)

    # -- ECS-native blue/green ---------------------------------------------------------------
    def describe_service_deployment(self, arn: str) -> ServiceDeploymentRecord | None:
        """One service deployment by ARN; None when ECS does not know it."""
        with aws_call("DescribeServiceDeployments"):
            response = self._client.describe_service_deployments(serviceDeploymentArns=[arn])
        found = response.get("serviceDeployments") or []
        return ServiceDeploymentRecord.from_api(found[0]) if found else None

    def continue_service_deployment(self, arn: str, hook_id: str, action: str) -> None:
        """Answer a PAUSE lifecycle hook: CONTINUE or ROLLBACK."""
        with aws_call("ContinueServiceDeployment"):
            self._client.continue_service_deployment(
                serviceDeploymentArn=arn, hookId=hook_id, action=action
            )


def family_of(arn: str) -> str:
    """The family of a task definition ARN or family:revision."""
    return arn.rsplit("/", 1)[-1].rsplit(":", 1)[0]


def revision_number(arn: str) -> int:
    tail = arn.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _failure_name(failure: Mapping[str, Any]) -> str:
    arn = str(failure.get("arn", ""))
    return arn.rsplit("/", 1)[-1] if arn else str(failure.get("reason", "unknown"))
