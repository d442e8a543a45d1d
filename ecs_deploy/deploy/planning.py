"""Look, preflight and plan: everything checked and rendered before the first change."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ecs_deploy.aws.ecs import EcsApi
from ecs_deploy.aws.model import register_task_definition_shape
from ecs_deploy.config.documents import load_document
from ecs_deploy.config.settings import (
    ContainerSpec,
    RegisterOnlySpec,
    ServiceSpec,
    Settings,
    TaskDefinitionSource,
)
from ecs_deploy.errors import InputError, PreflightError, SourceLocation
from ecs_deploy.plan.deployment import DeployPlan, ServicePlan, TaskDefinitionPlan
from ecs_deploy.plan.diff import diff_lines, same_task_definition
from ecs_deploy.plan.normalize import normalize_for_register
from ecs_deploy.plan.taskdef import render

SUPPORTED_CONTROLLERS = ("ECS",)
# What DescribeTaskDefinition returns and RegisterTaskDefinition refuses: dropping these is
# expected (pasted describe output), so only other dropped keys are worth a warning.
DESCRIBE_ONLY_FIELDS = frozenset(
    {
        "taskDefinitionArn",
        "revision",
        "status",
        "requiresAttributes",
        "compatibilities",
        "registeredAt",
        "registeredBy",
        "deregisteredAt",
        "deleteRequestedAt",
    }
)


def build_plan(settings: Settings, ecs: EcsApi) -> DeployPlan:
    """Describe what exists, check it can be deployed to, and render every task definition."""
    if not settings.services:
        spec = settings.register_only or RegisterOnlySpec(TaskDefinitionSource())
        return DeployPlan(
            cluster=settings.cluster, register_only=_plan_register_only(spec, settings, ecs)
        )
    _check_cluster(ecs, settings.cluster)
    names = [spec.name for spec in settings.services]
    found, missing = ecs.describe_services(settings.cluster, names)
    if missing:
        raise PreflightError(f"service '{missing[0]}' not found in cluster '{settings.cluster}'")
    plans = tuple(
        _plan_service(spec, found[spec.name], settings, ecs) for spec in settings.services
    )
    return DeployPlan(cluster=settings.cluster, services=plans)


def _check_cluster(ecs: EcsApi, cluster: str) -> None:
    description = ecs.describe_cluster(cluster)
    if description is None:
        raise PreflightError(f"cluster '{cluster}' not found")
    if description.get("status") != "ACTIVE":
        raise PreflightError(f"cluster '{cluster}' is {description.get('status')}, not ACTIVE")


def _plan_service(
    spec: ServiceSpec, service: Mapping[str, Any], settings: Settings, ecs: EcsApi
) -> ServicePlan:
    if service.get("status") != "ACTIVE":
        raise PreflightError(
            f"service '{spec.name}' is {service.get('status')} in cluster '{settings.cluster}', "
            "not ACTIVE"
        )
    controller = (service.get("deploymentController") or {}).get("type", "ECS")
    if controller not in SUPPORTED_CONTROLLERS:
        raise PreflightError(
            f"service '{spec.name}' uses the {controller} deployment controller; "
            f"this version deploys services with the {', '.join(SUPPORTED_CONTROLLERS)} controller"
        )
    current_arn = str(service["taskDefinition"])
    live, live_tags = ecs.describe_task_definition(current_arn)
    document, where = _source_document(spec.source, live, live_tags, ecs)
    task_definition = _render(
        document, where, spec.containers, settings.image_tag, live, current_arn, ecs
    )
    return ServicePlan(
        name=spec.name,
        cluster=settings.cluster,
        current_task_definition_arn=current_arn,
        task_definition=task_definition,
        force_new_deployment=spec.force_new_deployment,
        desired_count=spec.desired_count,
        timeout_seconds=spec.max_wait_seconds or settings.timeout_seconds,
    )


def _plan_register_only(
    spec: RegisterOnlySpec, settings: Settings, ecs: EcsApi
) -> TaskDefinitionPlan:
    """Compared with the family's latest revision, so an unchanged file registers nothing."""
    document, where = _source_document(spec.source, None, [], ecs)
    family = _family_of(document)
    live: Mapping[str, Any] | None = None
    live_arn: str | None = None
    if family:
        try:
            live, _ = ecs.describe_task_definition(family)
            live_arn = str(live.get("taskDefinitionArn"))
        except PreflightError:
            live = None  # a new family: nothing to compare with
    return _render(document, where, spec.containers, settings.image_tag, live, live_arn, ecs)


def _source_document(
    source: TaskDefinitionSource,
    live: Mapping[str, Any] | None,
    live_tags: list[dict[str, str]],
    ecs: EcsApi,
) -> tuple[object, str | None]:
    """The document to render from, and the file it came from (for error locations)."""
    if source.file is not None:
        return load_document(source.file, what="task definition file").data, str(source.file)
    if source.reference is not None:
        described, tags = ecs.describe_task_definition(source.reference)
        return {"taskDefinition": described, "tags": tags}, None
    if live is None:
        raise InputError("task-definition is required when no service is given")
    return {"taskDefinition": dict(live), "tags": live_tags}, None


def _render(
    document: object,
    where: str | None,
    containers: Sequence[ContainerSpec],
    image_tag: str | None,
    live: Mapping[str, Any] | None,
    live_arn: str | None,
    ecs: EcsApi,
) -> TaskDefinitionPlan:
    shape = register_task_definition_shape()
    images = {container.name: container.image for container in containers if container.image}
    tagged = [container.name for container in containers if not container.image]
    try:
        if image_tag and not tagged and not images:
            tagged = [_only_container(document, where)]
        rendered = render(
            document,
            shape,
            images=images or None,
            image_tag=image_tag,
            containers=tagged if image_tag else [],
            source=where,
        )
    except InputError as exc:
        if exc.location is None and where is not None:
            exc.location = SourceLocation(where)
        raise
    params: dict[str, Any] = dict(rendered.task_definition)
    tags = [tag for tag in rendered.tags if not str(tag.get("key", "")).startswith("aws:")]
    if tags:
        params["tags"] = tags
    ecs.check_register_parameters(params)

    live_normalized = normalize_for_register(dict(live), shape).task_definition if live else None
    same = live_normalized is not None and same_task_definition(
        live_normalized, rendered.task_definition
    )
    return TaskDefinitionPlan(
        family=str(params.get("family", "")),
        register_params=params,
        live_arn=live_arn,
        changed=not same,
        images=rendered.image_changes,
        diff=tuple(diff_lines(live_normalized, rendered.task_definition))
        if live_normalized and not same
        else (),
        dropped_keys=tuple(key for key in rendered.dropped if key not in DESCRIBE_ONLY_FIELDS),
    )


def _only_container(document: object, where: str | None) -> str:
    """image-tag with no container named: allowed only when there is exactly one container."""
    definition = document.get("taskDefinition", document) if isinstance(document, Mapping) else {}
    names = [str(c.get("name")) for c in (definition or {}).get("containerDefinitions") or []]
    if len(names) == 1:
        return names[0]
    raise InputError(
        f"image-tag needs the containers to update: the task definition has {', '.join(names)}; "
        "name them with container-name or a service's containers",
        location=SourceLocation(where) if where else None,
    )


def _family_of(document: object) -> str | None:
    if not isinstance(document, Mapping):
        return None
    definition = document.get("taskDefinition", document)
    return (
        str(definition.get("family"))
        if isinstance(definition, Mapping) and definition.get("family")
        else None
    )
