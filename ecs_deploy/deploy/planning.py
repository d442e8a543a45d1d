"""Look, preflight and plan: everything checked and rendered before the first change."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ecs_deploy.aws.ecs import EcsApi
from ecs_deploy.aws.model import register_task_definition_shape
from ecs_deploy.config.documents import load_document
from ecs_deploy.config.provenance import Provenance
from ecs_deploy.config.settings import (
    ContainerSpec,
    RegisterOnlySpec,
    ServiceSpec,
    Settings,
    TaskDefinitionChanges,
    TaskDefinitionSource,
    TaskSpec,
)
from ecs_deploy.deploy.bluegreen_planning import plan_strategy
from ecs_deploy.deploy.live import LiveDeployments, read_live
from ecs_deploy.errors import AccessDenied, InputError, PreflightError, SourceLocation
from ecs_deploy.plan.changes import apply_changes
from ecs_deploy.plan.deployment import (
    DeployPlan,
    FollowedDeployment,
    ServicePlan,
    TaskDefinitionPlan,
    TaskRunPlan,
)
from ecs_deploy.plan.diff import diff_lines, same_task_definition
from ecs_deploy.plan.image_tag_value import TagParameter, tag_value
from ecs_deploy.plan.normalize import normalize_for_register
from ecs_deploy.plan.revision_tags import merge_tags, provenance_tags
from ecs_deploy.plan.strategy import Strategy
from ecs_deploy.plan.taskdef import Locate, render

Warn = Callable[[str], None]


def build_plan(settings: Settings, ecs: EcsApi, warn: Warn = lambda _: None) -> DeployPlan:
    """Describe what exists, check it can be deployed to, and render every task definition.

    Calls beyond the official action's documented minimal policy (RegisterTaskDefinition,
    iam:PassRole, UpdateService, DescribeServices) degrade with a warning when denied.
    """
    pre = () if settings.skip_pre_tasks else settings.pre_tasks
    post = () if settings.skip_post_tasks else settings.post_tasks
    if settings.services or pre or post:
        _check_cluster(ecs, settings.cluster, warn)
    found: dict[str, dict[str, Any]] = {}
    services: tuple[ServicePlan, ...] = ()
    register_only: TaskDefinitionPlan | None = None
    if settings.services:
        found = _describe_services(ecs, settings.cluster, [spec.name for spec in settings.services])
        services = tuple(
            _plan_service(spec, found[spec.name], settings, ecs, warn) for spec in settings.services
        )
    else:
        spec = settings.register_only or RegisterOnlySpec(TaskDefinitionSource())
        register_only = _plan_register_only(spec, settings, ecs)
    borrowed = {t.network_from_service for t in (*pre, *post) if t.network_from_service}
    if borrowed - set(found):
        found |= _describe_services(ecs, settings.cluster, sorted(borrowed - set(found)))
    _check_shared_parameters(services)
    tasks = TaskPlanner(settings, ecs, services, register_only, found)
    return DeployPlan(
        cluster=settings.cluster,
        services=services,
        register_only=register_only,
        pre_tasks=tuple(tasks.plan(spec) for spec in pre),
        post_tasks=tuple(tasks.plan(spec) for spec in post),
    )


def _check_shared_parameters(services: Sequence[ServicePlan]) -> None:
    """Services may share an image-tag-parameter only when they deploy the same tag."""
    seen: dict[str, ServicePlan] = {}
    for service in services:
        parameter = service.image_tag_parameter
        if parameter is None:
            continue
        other = seen.setdefault(parameter.name, service)
        theirs = other.image_tag_parameter
        if theirs is not None and theirs.value != parameter.value:
            raise InputError(
                f"image-tag-parameter {parameter.name}: services {other.name} and "
                f"{service.name} deploy different tags ({theirs.value}, {parameter.value}); "
                "give each its own parameter"
            )


def _describe_services(ecs: EcsApi, cluster: str, names: list[str]) -> dict[str, dict[str, Any]]:
    found, missing = ecs.describe_services(cluster, names)
    if missing:
        raise PreflightError(f"service '{missing[0]}' not found in cluster '{cluster}'")
    return found


def _live_task_definition(
    spec: ServiceSpec, current_arn: str, ecs: EcsApi, warn: Warn
) -> tuple[Mapping[str, Any] | None, list[dict[str, str]]]:
    """The service's current revision; with a file to deploy, optional (then every run
    registers a revision, since an unchanged one cannot be told from a changed one)."""
    try:
        return ecs.describe_task_definition(current_arn)
    except AccessDenied as exc:
        if spec.source.file is None:
            raise
        warn(
            f"{exc}; cannot compare with the live revision, so a new one is registered "
            "(allow ecs:DescribeTaskDefinition to reuse unchanged revisions)"
        )
        return None, []


def _check_cluster(ecs: EcsApi, cluster: str, warn: Warn) -> None:
    try:
        description = ecs.describe_cluster(cluster)
    except AccessDenied as exc:
        # DescribeServices names a missing cluster too (ClusterNotFoundException).
        warn(
            f"{exc}; the cluster is checked by DescribeServices instead (allow "
            "ecs:DescribeClusters for a clearer message)"
        )
        return
    if description is None:
        raise PreflightError(f"cluster '{cluster}' not found")
    if description.get("status") != "ACTIVE":
        raise PreflightError(f"cluster '{cluster}' is {description.get('status')}, not ACTIVE")


def _plan_service(
    spec: ServiceSpec, service: Mapping[str, Any], settings: Settings, ecs: EcsApi, warn: Warn
) -> ServicePlan:
    if service.get("status") != "ACTIVE":
        raise PreflightError(
            f"service '{spec.name}' is {service.get('status')} in cluster '{settings.cluster}', "
            "not ACTIVE"
        )
    # The controller decides the strategy (EXTERNAL is refused here, before any change).
    how = plan_strategy(spec, service, settings.cluster, settings.wait_until)
    current_arn = str(service["taskDefinition"])
    document: object
    base: Mapping[str, Any] | None
    where: str | None
    locate: Locate | None
    if spec.source.reference is not None:
        # A revision registered elsewhere (Terraform, as family:revision or ARN) is compared
        # with itself: deployed as it is, with nothing registered, unless this run changes it.
        base, base_tags = ecs.describe_task_definition(spec.source.reference)
        base_arn = str(base["taskDefinitionArn"])
        document, where, locate = {"taskDefinition": base, "tags": base_tags}, None, None
    else:
        live, live_tags = _live_task_definition(spec, current_arn, ecs, warn)
        document, where, locate = _source_document(spec.source, live, live_tags, ecs)
        base, base_arn = live, current_arn
    task_definition = _render(
        document,
        where,
        spec.containers,
        settings.image_tag,
        base,
        base_arn,
        ecs,
        changes=spec.changes,
        keep_empty_keys=settings.keep_empty_keys,
        locate=locate,
        provenance=settings.provenance,
        warn=warn,
    )
    deployments = read_live(service)
    # "Unchanged" only means done when the live deployment of it settled: a re-run after a
    # failed or unfinished deployment of the same revision deploys it again.
    redeploy = (
        f"the service is not settled on {current_arn.rsplit('/', 1)[-1]}: "
        f"{deployments.unsettled_reason}"
        if how.strategy is not Strategy.CODEDEPLOY and not deployments.settled
        else None
    )
    deploys_current = not task_definition.changed and task_definition.live_arn == current_arn
    follows = None
    if settings.follow_live_deployment and deploys_current and redeploy is not None:
        redeploy, follows = _follow(deployments, current_arn, redeploy)
    return ServicePlan(
        name=spec.name,
        cluster=settings.cluster,
        current_task_definition_arn=current_arn,
        task_definition=task_definition,
        force_new_deployment=spec.force_new_deployment,
        desired_count=spec.desired_count,
        timeout_seconds=spec.max_wait_seconds or settings.timeout_seconds,
        strategy=how.strategy,
        codedeploy=how.codedeploy,
        ecs_blue_green=how.ecs_blue_green,
        wait_until=how.wait_until,
        live_primary_id=deployments.primary_id,
        rollback_task_definition_arn=deployments.stable_task_definition_arn,
        redeploy_reason=redeploy if deploys_current else None,
        follows=follows,
        update_params=_checked_update_params(spec, settings.cluster, ecs),
        image_tag_parameter=TagParameter(
            spec.image_tag_parameter,
            tag_value(
                task_definition.register_params,
                [container.name for container in spec.containers],
                service=spec.name,
            ),
        )
        if spec.image_tag_parameter
        else None,
    )


def _follow(
    deployments: LiveDeployments, current_arn: str, redeploy: str
) -> tuple[str | None, FollowedDeployment | None]:
    """The event path's redeploy: none when ECS deploys (follow it) or deployed (done) the
    revision already; a repeated event must not supersede the deployment it started."""
    if deployments.landed(current_arn):
        return None, None
    if deployments.deploying(current_arn) and deployments.primary_id:
        return None, FollowedDeployment(deployments.primary_id, deployments.primary_created_at)
    return redeploy, None


def _checked_update_params(spec: ServiceSpec, cluster: str, ecs: EcsApi) -> Mapping[str, Any]:
    """What UpdateService would refuse in the extra parameters is refused before any change."""
    if spec.update_params:
        ecs.check_parameters(
            "UpdateService",
            {"cluster": cluster, "service": spec.name, **spec.update_params},
            what=f"service '{spec.name}'",
        )
    return spec.update_params


def _plan_register_only(
    spec: RegisterOnlySpec, settings: Settings, ecs: EcsApi
) -> TaskDefinitionPlan:
    """Compared with the family's latest revision, so an unchanged file registers nothing."""
    document, where, locate = _source_document(spec.source, None, [], ecs)
    family = _family_of(document)
    live: Mapping[str, Any] | None = None
    live_arn: str | None = None
    if family:
        try:
            live, _ = ecs.describe_task_definition(family)
            live_arn = str(live.get("taskDefinitionArn"))
        except PreflightError:
            live = None  # a new family: nothing to compare with
    return _render(
        document,
        where,
        spec.containers,
        settings.image_tag,
        live,
        live_arn,
        ecs,
        changes=spec.changes,
        keep_empty_keys=settings.keep_empty_keys,
        locate=locate,
        provenance=settings.provenance,
    )


def _source_document(
    source: TaskDefinitionSource,
    live: Mapping[str, Any] | None,
    live_tags: list[dict[str, str]],
    ecs: EcsApi,
) -> tuple[object, str | None, Locate | None]:
    """The document to render from, and the file it came from and its positions (for errors)."""
    if source.file is not None:
        located = load_document(source.file, what="task definition file")
        return located.data, str(source.file), located.location
    if source.reference is not None:
        described, tags = ecs.describe_task_definition(source.reference)
        return {"taskDefinition": described, "tags": tags}, None, None
    if live is None:
        raise InputError("task-definition is required when no service is given")
    return {"taskDefinition": dict(live), "tags": live_tags}, None, None


def _render(
    document: object,
    where: str | None,
    containers: Sequence[ContainerSpec],
    image_tag: str | None,
    live: Mapping[str, Any] | None,
    live_arn: str | None,
    ecs: EcsApi,
    *,
    infer_single_container: bool = True,  # services: the only container; tasks: named ones only
    changes: TaskDefinitionChanges | None = None,
    keep_empty_keys: frozenset[str] = frozenset(),  # keep-null-value-keys
    locate: Locate | None = None,
    provenance: Provenance = Provenance(),  # noqa: B008  (frozen)
    warn: Warn = lambda _: None,
) -> TaskDefinitionPlan:
    shape = register_task_definition_shape()
    _check_file_containers(document, containers)
    images = {container.name: container.image for container in containers if container.image}
    tagged = [container.name for container in containers if not container.image]
    try:
        if image_tag and not tagged and not images and infer_single_container:
            tagged = [
                _only_container(document, where, how="container-name or the service's containers")
            ]
        rendered = render(
            document,
            shape,
            images=images or None,
            image_tag=image_tag,
            containers=tagged if image_tag else [],
            keep_empty_keys=keep_empty_keys,
            source=where,
            locate=locate,
        )
        definition = rendered.task_definition
        if changes is not None and not changes.empty:
            definition = apply_changes(definition, [c.name for c in containers], changes)
    except InputError as exc:
        if exc.location is None and where is not None:
            exc.location = SourceLocation(where)
        raise
    params: dict[str, Any] = dict(definition)
    asked = [tag for tag in rendered.tags if not str(tag.get("key", "")).lower().startswith("aws:")]
    ours = provenance_tags(provenance.commit, (provenance.run_url, provenance.run_id))
    merged = merge_tags(asked, ours)
    for left_out in merged.left_out:
        warn(f"task definition '{params.get('family')}': tag {left_out} not added")
    if merged.tags:
        params["tags"] = list(merged.tags)
    ecs.check_parameters(
        "RegisterTaskDefinition", params, what=f"task definition '{params.get('family')}'"
    )

    live_normalized = (
        normalize_for_register(dict(live), shape, keep_empty_keys=keep_empty_keys).task_definition
        if live
        else None
    )
    same = live_normalized is not None and same_task_definition(live_normalized, definition)
    return TaskDefinitionPlan(
        family=str(params.get("family", "")),
        register_params=params,
        live_arn=live_arn,
        changed=not same,
        images=rendered.image_changes,
        diff=tuple(diff_lines(live_normalized, definition)) if live_normalized and not same else (),
        dropped_keys=rendered.unknown_keys,
    )


def _container_names(document: object) -> list[str]:
    definition = document.get("taskDefinition", document) if isinstance(document, Mapping) else {}
    containers = (definition or {}).get("containerDefinitions")
    if not isinstance(containers, list):
        return []
    return [str(c.get("name")) for c in containers if isinstance(c, Mapping)]


def _check_file_containers(document: object, containers: Sequence[ContainerSpec]) -> None:
    """A container an image-definitions entry names must be in the task definition.

    Refused where the entry was written, before any change: CodePipeline's ECS deploy action
    fails the same file with "The AWS ECS container <name> does not exist".
    """
    names = _container_names(document)
    for container in containers:
        if container.source is not None and names and container.name not in names:
            raise InputError(
                f"image-definitions: container '{container.name}' is not in task definition "
                f"'{_family_of(document) or '?'}'; its containers are: {', '.join(names)}",
                location=container.source,
            )


def _only_container(
    document: object, where: str | None, *, what: str = "image-tag", how: str = "container-name"
) -> str:
    """A change with no container named: allowed only when there is exactly one container."""
    names = _container_names(document)
    if len(names) == 1:
        return names[0]
    raise InputError(
        f"{what} needs the containers to change: the task definition has {', '.join(names)}; "
        f"name them with {how}",
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


class TaskPlanner:
    """Plans standalone tasks with what the services' planning already described and rendered."""

    def __init__(
        self,
        settings: Settings,
        ecs: EcsApi,
        services: Sequence[ServicePlan],
        register_only: TaskDefinitionPlan | None,
        described: Mapping[str, Mapping[str, Any]],
    ) -> None:
        self._settings = settings
        self._ecs = ecs
        self._services = {plan.name: plan for plan in services}
        self._register_only = register_only
        self._described = described

    def plan(self, spec: TaskSpec) -> TaskRunPlan:
        definition = self._task_definition(spec)
        params: dict[str, Any] = {"cluster": self._settings.cluster, "count": spec.count}
        params.update(self._placement(spec, definition))
        overrides = _container_overrides(spec, definition.register_params)
        if overrides:
            params["overrides"] = {"containerOverrides": overrides}
        # What RunTask would refuse is refused here, before anything is registered or updated.
        params["startedBy"] = _started_by(spec)
        _check_task_tags(spec)
        if spec.tags:
            params["tags"] = [{"key": key, "value": value} for key, value in spec.tags]
        params.update(spec.run_params)  # enableECSManagedTags, volumeConfigurations, if given
        self._ecs.check_parameters(
            "RunTask", {**params, "taskDefinition": definition.family}, what=f"task '{spec.name}'"
        )
        return TaskRunPlan(
            name=spec.name,
            task_definition=definition,
            run_params=params,
            timeout_seconds=spec.timeout_seconds or self._settings.timeout_seconds,
            depends_on=spec.depends_on,
            wait=spec.wait,
        )

    def _task_definition(self, spec: TaskSpec) -> TaskDefinitionPlan:
        if spec.family is None:  # run-task: exactly what this run deploys to the service
            if spec.from_service is not None:
                return self._services[spec.from_service].task_definition
            if self._register_only is None:
                raise InputError(f"task '{spec.name}' names no task definition")
            return self._register_only
        live, tags = self._ecs.describe_task_definition(spec.family)
        document = {"taskDefinition": dict(live), "tags": tags}
        arn = str(live.get("taskDefinitionArn"))
        # A task's image-tag changes only the containers it names: a one-container migration
        # image (flyway/flyway:10) keeps its tag.
        return _render(
            document,
            None,
            spec.containers,
            self._settings.image_tag,
            live,
            arn,
            self._ecs,
            infer_single_container=False,
            provenance=self._settings.provenance,
        )

    def _placement(self, spec: TaskSpec, definition: TaskDefinitionPlan) -> dict[str, Any]:
        """Launch type or capacity providers, and the network: given, or borrowed from a service."""
        borrowed_from = spec.network_from_service or spec.from_service
        service = self._described.get(borrowed_from or "", {})
        placement: dict[str, Any] = {}
        if spec.capacity_provider_strategy:
            placement["capacityProviderStrategy"] = [
                {
                    "capacityProvider": item.capacity_provider,
                    "base": item.base,
                    "weight": item.weight,
                }
                for item in spec.capacity_provider_strategy
            ]
        elif spec.launch_type:
            placement["launchType"] = spec.launch_type
        elif service.get("capacityProviderStrategy"):
            placement["capacityProviderStrategy"] = service["capacityProviderStrategy"]
        elif service.get("launchType"):
            placement["launchType"] = service["launchType"]
        if service.get("platformVersion") and spec.network_from_service:
            placement["platformVersion"] = service["platformVersion"]
        if spec.vpc_configuration is not None:
            placement["networkConfiguration"] = {
                "awsvpcConfiguration": {
                    "subnets": list(spec.vpc_configuration.subnets),
                    "securityGroups": list(spec.vpc_configuration.security_groups),
                    "assignPublicIp": "ENABLED"
                    if spec.vpc_configuration.assign_public_ip
                    else "DISABLED",
                }
            }
        elif service.get("networkConfiguration"):
            placement["networkConfiguration"] = service["networkConfiguration"]
        elif definition.register_params.get("networkMode") == "awsvpc":
            raise InputError(
                f"task '{spec.name}' uses awsvpc networking: give it "
                "network_configuration.vpc_configuration or network_from_service"
            )
        return placement


def _container_overrides(spec: TaskSpec, definition: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Command and environment overrides for the named containers (or the only one)."""
    existing = [str(c.get("name")) for c in definition.get("containerDefinitions") or []]
    if spec.container_overrides:
        overrides = [dict(item) for item in spec.container_overrides]
        for index, item in enumerate(overrides):
            _check_container(spec, existing, item.get("name"), f"containerOverrides[{index}]")
        return overrides
    if spec.command is None and not spec.environment:
        return []
    names = [container.name for container in spec.containers]
    for name in names:
        _check_container(spec, existing, name, "containers")
    if not names:
        document = {"containerDefinitions": definition.get("containerDefinitions")}
        names = [
            _only_container(
                document, None, what=f"task '{spec.name}' command/environment", how="containers"
            )
        ]
    override: dict[str, Any] = {}
    if spec.command is not None:
        override["command"] = list(spec.command)
    if spec.environment:
        override["environment"] = [{"name": key, "value": value} for key, value in spec.environment]
    return [{"name": name, **override} for name in names]


def _check_container(spec: TaskSpec, existing: Sequence[str], name: object, where: str) -> None:
    """RunTask refuses an override for a container the task definition lacks: refuse it now."""
    if isinstance(name, str) and name in existing:
        return
    named = f"names no container {name!r}" if isinstance(name, str) else "has no container name"
    raise InputError(
        f"task '{spec.name}': {where} {named}; the task definition's containers are: "
        f"{', '.join(existing)}"
    )


# RunTask's startedBy: up to 128 letters, digits, hyphens, underscores and forward slashes.
_STARTED_BY_MAX = 128
_STARTED_BY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_/")


def _started_by(spec: TaskSpec) -> str:
    value = spec.started_by or "ecs-deploy"
    if len(value) > _STARTED_BY_MAX or not set(value) <= _STARTED_BY_CHARS:
        raise InputError(
            f"task '{spec.name}': startedBy {value!r} must be at most {_STARTED_BY_MAX} letters, "
            "digits, '-', '_' or '/' (no spaces)"
        )
    return value


def _check_task_tags(spec: TaskSpec) -> None:
    """Keys starting with aws: are AWS's own; RunTask refuses them in any case."""
    for key, _ in spec.tags:
        if key.lower().startswith("aws:"):
            raise InputError(
                f"task '{spec.name}': tag key {key!r} is reserved: keys starting with 'aws:' "
                "belong to AWS"
            )
