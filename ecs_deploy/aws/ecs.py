"""ECS calls the deploy layer needs, batched the way the API allows."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import botocore.exceptions
import botocore.validate

from ecs_deploy.aws.errors import aws_call, error_code, translate
from ecs_deploy.aws.model import register_task_definition_shape
from ecs_deploy.errors import InputError, PreflightError

DESCRIBE_SERVICES_MAX = 10  # DescribeServices accepts at most 10 services per call
DESCRIBE_TASKS_MAX = 100  # DescribeTasks accepts at most 100 tasks per call


def chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class EcsApi:
    """A thin, typed face over the ECS client. Everything AWS-shaped stays in here."""

    def __init__(self, client: Any) -> None:
        self._client = client

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

    def check_register_parameters(self, params: Mapping[str, Any]) -> None:
        """boto3's own client-side validation, run before anything is changed."""
        report = botocore.validate.ParamValidator().validate(
            dict(params), register_task_definition_shape()
        )
        if report.has_errors():
            detail = " ".join(report.generate_report().split())
            raise InputError(
                f"task definition '{params.get('family')}' would be rejected: {detail}"
            )

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
        with aws_call("UpdateService"):
            response = self._client.update_service(**params)
        return dict(response["service"])


def _failure_name(failure: Mapping[str, Any]) -> str:
    arn = str(failure.get("arn", ""))
    return arn.rsplit("/", 1)[-1] if arn else str(failure.get("reason", "unknown"))
