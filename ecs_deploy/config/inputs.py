"""Deploy settings from the declared inputs (`declared_inputs`), read by `readers`.

Every value is parsed by its declared kind first (`check_inputs`); this module combines them
with the application file into one frozen `Settings`. Nothing here talks to AWS.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ecs_deploy.config.appfile import (
    DEFAULT_FILE_NAMES,
    AppFile,
    load_app_file,
    looks_like_file,
    service_name,
)
from ecs_deploy.config.aws_params import check_volume_inputs, run_task_params, service_update_params
from ecs_deploy.config.bluegreen import (
    Mode,
    codedeploy_from_inputs,
    parse_mode,
    parse_wait_until,
)
from ecs_deploy.config.declaration import Command
from ecs_deploy.config.declared_inputs import INPUTS
from ecs_deploy.config.image_definitions import ImageDefinitions, load_image_definitions
from ecs_deploy.config.parameter_names import check_parameter_name
from ecs_deploy.config.platforms import (
    SOURCE_VERSION_VARIABLE,
    codebuild_source_version,
    workspace_of,
)
from ecs_deploy.config.provenance import provenance_of
from ecs_deploy.config.readers import (
    InputValues,
    RawInputs,
    add_cli_arguments,
    check_inputs,
    read_action_inputs,
    read_cli_inputs,
)
from ecs_deploy.config.render_inputs import RENDER_INPUT_NAMES, changes_from_inputs
from ecs_deploy.config.settings import (
    CapacityProviderItem,
    ContainerSpec,
    FailFastPolicy,
    RegisterOnlySpec,
    RollbackPolicy,
    RollbackScope,
    ServiceSpec,
    Settings,
    TaskDefinitionSource,
    TaskSpec,
    VpcConfiguration,
    github_files,
)
from ecs_deploy.config.waiting import wait_settings
from ecs_deploy.errors import InputError, SourceLocation
from ecs_deploy.plan.image import ImageRef

__all__ = [
    "INPUTS",
    "add_cli_arguments",
    "build_settings",
    "read_action_inputs",
    "read_cli_inputs",
]

# Inputs that name where a task definition starts from; at most one of them.
_SOURCE_INPUTS = ("task-definition", "task-definition-arn", "task-definition-family")


def build_settings(raw: RawInputs, environ: Mapping[str, str] | None = None) -> Settings:
    """Validate every input and the application file; nothing here talks to AWS."""
    env = os.environ if environ is None else environ
    values = check_inputs(raw, Command.DEPLOY)
    workspace = workspace_of(env)
    image_tag = values.text("image-tag")
    if image_tag is not None:
        _check_tag(image_tag)
    given_tag = image_tag
    tag_note: str | None = None
    check_volume_inputs(values)
    check_output_files(values, workspace)
    parameter = values.text("image-tag-parameter")
    if parameter is not None:
        check_parameter_name(parameter, what="image-tag-parameter")
    waiting = wait_settings(values)
    definitions = _image_definitions(values, workspace)

    config_path = _config_path(values, workspace)
    if config_path is not None:
        cluster, services, app = _from_app_file(values, config_path, definitions)
        pre, post = app.pre_tasks, app.post_tasks
        file_rollback = app.rollback
        keep = _keep_revisions(values, app.keep_revisions)
        revision_clusters = _revision_clusters(values, app, keep)
        register_only = None
        if image_tag is None and definitions is None:
            untagged = any(not c.image for service in services for c in service.containers)
            image_tag = _codebuild_tag(env, untagged)
    else:
        cluster = values.text("cluster") or "default"
        if image_tag is None and definitions is None and not values.given("image"):
            image_tag, tag_note = _codebuild_default(values, env)
        services, register_only = _from_inputs(values, workspace, definitions, image_tag)
        pre, post = _run_task(values, services), ()
        file_rollback = RollbackPolicy()
        keep = _keep_revisions(values, None)
        revision_clusters = _input_revision_clusters(values, keep, register_only)
    return Settings(
        cluster=cluster,
        services=services,
        register_only=register_only,
        pre_tasks=pre,
        post_tasks=post,
        image_tag=image_tag,
        image_tag_from=SOURCE_VERSION_VARIABLE if image_tag != given_tag else None,
        image_tag_note=tag_note,
        wait=waiting.wait,
        timeout_seconds=waiting.timeout_seconds,
        poll_interval_seconds=waiting.poll_interval_seconds,
        max_retries=waiting.max_retries,
        dry_run=values.get("dry-run"),
        skip_pre_tasks=values.get("skip-pre-tasks"),
        skip_post_tasks=values.get("skip-post-tasks"),
        wait_until=parse_wait_until(values.text("wait-until")),
        rollback=_rollback(values, file_rollback),
        fail_fast=FailFastPolicy(
            max_start_failures=values.get("max-start-failures"),
            placement_grace_seconds=values.get("placement-grace"),
        ),
        keep_empty_keys=frozenset(values.get("keep-null-value-keys") or ()),
        keep_revisions=keep,
        revision_clusters=revision_clusters,
        provenance=provenance_of(env),
        config_file=config_path,
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
        github=github_files(env),
    )


def _keep_revisions(values: InputValues, from_file: int | None) -> int | None:
    return values.get("keep-revisions") if values.given("keep-revisions") else from_file


# keep-revisions deregisters; what "no one uses" means is read from clusters, so it never
# runs against a cluster that was guessed (DeregisterTaskDefinition cannot be undone).
_KEEP_NEEDS_CLUSTER = (
    "keep-revisions needs a cluster that is named, not the default one: give cluster{where}, "
    "so that what runs there is never deregistered"
)


def _input_revision_clusters(
    values: InputValues, keep: int | None, register_only: RegisterOnlySpec | None
) -> tuple[str, ...]:
    if keep is None:
        return ()
    if register_only is not None:
        raise InputError(
            "keep-revisions needs service: registering a task definition alone says nothing "
            "about where its family runs, so nothing could be deregistered safely"
        )
    cluster = values.text("cluster")
    if cluster is None:
        raise InputError(_KEEP_NEEDS_CLUSTER.format(where=""))
    return (cluster,)


def _revision_clusters(values: InputValues, app: AppFile, keep: int | None) -> tuple[str, ...]:
    """The run's cluster and, with environments:, every environment's (one file, one family,
    several clusters: a revision prod runs must survive a test deploy's clean-up)."""
    if keep is None:
        return ()
    cluster = values.text("cluster") or app.cluster
    if cluster is None:
        raise InputError(
            _KEEP_NEEDS_CLUSTER.format(where=f" (or cluster: in {app.path.name})"),
            location=SourceLocation(str(app.path)),
        )
    unnamed = [name for name, named in app.environment_clusters if named is None]
    if unnamed:
        raise InputError(
            f"keep-revisions: environment '{unnamed[0]}' of {app.path.name} names no cluster, "
            "so what it runs cannot be protected; give it cluster:",
            location=SourceLocation(str(app.path)),
        )
    others = (named for _, named in app.environment_clusters if named is not None)
    return tuple(dict.fromkeys((cluster, *others)))


def _config_path(values: InputValues, workspace: Path) -> Path | None:
    config = values.text("config")
    if config is not None:
        return _resolve(config, workspace)
    if any(values.given(name) for name in (*_SOURCE_INPUTS, "container-name", "image", "service")):
        return None
    # Nothing names what to deploy: use the application file in the workspace, if any.
    for name in DEFAULT_FILE_NAMES:
        if (workspace / name).is_file():
            return workspace / name
    raise InputError(
        "nothing to deploy: give config (an application file), or service and task-definition"
    )


def _image_definitions(values: InputValues, workspace: Path) -> ImageDefinitions | None:
    text = values.text("image-definitions")
    if text is None:
        return None
    for other in ("image", "image-tag"):
        if values.given(other):
            raise InputError(f"give image-definitions or {other}, not both: both set the images")
    return load_image_definitions(_resolve(text, workspace))


def _codebuild_default(
    values: InputValues, env: Mapping[str, str]
) -> tuple[str | None, str | None]:
    """CodeBuild's commit as the tag of the named containers, and why it was not applied.

    Not when the inputs change the containers otherwise (environment-variables, ...): that is a
    configuration deploy, and retagging its images to the commit would deploy an image no one
    asked for (one that may not even have been pushed).
    """
    named = values.given("container-name")
    changing = [
        name
        for name in RENDER_INPUT_NAMES
        if values.given(name) and name not in ("task-role-arn", "execution-role-arn")
    ]
    if named and changing and codebuild_source_version(env) is not None:
        return None, (
            f"image-tag: the {SOURCE_VERSION_VARIABLE} default is not applied: "
            f"{', '.join(changing)} change the containers, and their images are kept; "
            "give image-tag to deploy a new image too"
        )
    return _codebuild_tag(env, named), None


def _codebuild_tag(env: Mapping[str, str], containers_named: bool) -> str | None:
    """In CodeBuild, containers named without an image are tagged with the commit it built."""
    tag = codebuild_source_version(env) if containers_named else None
    if tag is not None:
        try:
            _check_tag(tag)
        except InputError as exc:
            raise InputError(
                f"{SOURCE_VERSION_VARIABLE} is not an image tag ({exc.message}); give image-tag"
            ) from None
    return tag


def check_output_files(values: InputValues, workspace: Path) -> None:
    """The folder of exports-file and dotenv-file exists: found now, not after the deploy."""
    for name in ("exports-file", "dotenv-file"):
        text = values.text(name)
        if text is None:
            continue
        path = _resolve(text, workspace)
        if path.is_dir():
            raise InputError(f"{name}: {path} is a folder; name a file")
        if not path.parent.is_dir():
            raise InputError(f"{name}: folder {path.parent} does not exist")


def _with_definitions(
    services: tuple[ServiceSpec, ...], app: AppFile, definitions: ImageDefinitions
) -> tuple[tuple[ServiceSpec, ...], AppFile]:
    """Listed containers without an image take theirs from the file, by name.

    Every listed container of the services deployed must have an entry; pre/post-deploy tasks'
    containers take one where the file has it (a migration runs the new image). An entry that
    no service or task of the file lists is a mistake (a typo, the wrong file).
    """
    wanting = [(s.name, c.name) for s in services for c in s.containers if not c.image]
    if definitions.names_containers:
        by_name = {str(entry.name): entry for entry in definitions.entries}
    elif len(wanting) == 1:
        by_name = {wanting[0][1]: definitions.entries[0]}
    else:
        raise InputError(
            f"image-definitions: {definitions.path.name} has one image and names no "
            f"container, but {len(wanting)} containers of {app.path.name} take an image; "
            "use imagedefinitions.json, which names each container",
            location=definitions.entries[0].location,
        )
    for service, container in wanting:
        if container not in by_name:
            raise InputError(
                f"image-definitions: no image for container '{container}' of service "
                f"'{service}' in {definitions.path.name}; it lists {', '.join(sorted(by_name))}",
                location=SourceLocation(str(definitions.path)),
            )
    listed = {c.name for s in app.services for c in s.containers} | {
        c.name for t in (*app.pre_tasks, *app.post_tasks) for c in t.containers
    }
    for name, entry in by_name.items():
        if name not in listed:
            raise InputError(
                f"image-definitions: container '{name}' is not listed by any service or task "
                f"of {app.path.name}; list it under the containers of the one it is for",
                location=entry.location,
            )

    def filled(containers: tuple[ContainerSpec, ...]) -> tuple[ContainerSpec, ...]:
        return tuple(
            ContainerSpec(c.name, image=by_name[c.name].image, source=by_name[c.name].location)
            if not c.image and c.name in by_name
            else c
            for c in containers
        )

    return tuple(
        dataclasses.replace(service, containers=filled(service.containers)) for service in services
    ), dataclasses.replace(
        app,
        pre_tasks=tuple(
            dataclasses.replace(t, containers=filled(t.containers)) for t in app.pre_tasks
        ),
        post_tasks=tuple(
            dataclasses.replace(t, containers=filled(t.containers)) for t in app.post_tasks
        ),
    )


def _from_app_file(
    values: InputValues, path: Path, definitions: ImageDefinitions | None = None
) -> tuple[str, tuple[ServiceSpec, ...], AppFile]:
    run_task_inputs = [spec.name for spec in INPUTS if spec.name.startswith("run-task")]
    for conflicting in (
        *_SOURCE_INPUTS,
        "task-definition-revision",
        "container-name",
        "image",
        *run_task_inputs,
        *RENDER_INPUT_NAMES,
    ):
        if values.given(conflicting):
            raise InputError(
                f"{conflicting} cannot be combined with config; set it per service in {path.name}"
            )
    app = load_app_file(path, values.text("environment"))
    services = app.services
    if values.given("service"):
        wanted = [service_name(name) for name in values.get("service")]
        known = {service.name for service in services}
        missing = [name for name in wanted if name not in known]
        if missing:
            raise InputError(
                f"service '{missing[0]}' is not in {path.name}; it lists {', '.join(sorted(known))}"
            )
        services = tuple(service for service in services if service.name in wanted)
    for service in services:
        for container in service.containers:
            if container.image is not None:
                ImageRef.parse(container.image)
    if definitions is not None:
        services, app = _with_definitions(services, app, definitions)
    desired: int | None = values.get("desired-count")
    update_params = service_update_params(values)
    parameter = values.text("image-tag-parameter")
    services = tuple(
        dataclasses.replace(
            service,
            desired_count=service.desired_count if desired is None else desired,
            update_params={**service.update_params, **update_params},
            # The input wins over the file, as every input does (docs/promotion.md).
            image_tag_parameter=parameter or service.image_tag_parameter,
        )
        for service in services
    )
    services = _blue_green_defaults(values, services, path.parent)
    cluster = values.text("cluster") or app.cluster or "default"
    return cluster, services, app


def _blue_green_defaults(
    values: InputValues, services: tuple[ServiceSpec, ...], base_dir: Path
) -> tuple[ServiceSpec, ...]:
    """mode and codedeploy-* inputs apply where a service of the file does not say."""
    mode = parse_mode(values.text("mode")) or Mode.AUTO
    codedeploy = codedeploy_from_inputs(values.raw, base_dir)
    return tuple(
        dataclasses.replace(
            service,
            mode=service.mode if service.mode is not Mode.AUTO else mode,
            codedeploy=service.codedeploy.over(codedeploy),
        )
        for service in services
    )


def _from_inputs(
    values: InputValues,
    workspace: Path,
    definitions: ImageDefinitions | None = None,
    image_tag: str | None = None,
) -> tuple[tuple[ServiceSpec, ...], RegisterOnlySpec | None]:
    if values.given("environment"):
        raise InputError(
            "environment chooses an entry of the application file's environments: give config"
        )
    names: tuple[str, ...] = values.get("container-name") or ()
    image = values.text("image")
    if image is not None:
        ImageRef.parse(image)
        if not names:
            raise InputError("image needs container-name: name the container that runs it")
        if values.given("image-tag"):
            raise InputError("give image or image-tag, not both")
    changes = changes_from_inputs(values.raw)
    images_given = image is not None or image_tag is not None or definitions is not None
    if names and not images_given and not changes.changes_containers:
        raise InputError("container-name needs image, image-tag or a change to the containers")
    if changes.changes_containers and not names:
        raise InputError(
            "environment-variables, secrets, docker-labels, command, log-configuration-* and "
            "env-files change the containers named by container-name: give container-name"
        )
    containers = (
        _containers_from(definitions, names)
        if definitions is not None
        else tuple(ContainerSpec(name=name, image=image) for name in names)
    )
    source = _task_definition_source(values, workspace)
    service_names = [service_name(name) for name in values.get("service") or ()]
    if len(service_names) > 1:
        raise InputError(
            "service takes one name without config; list several in an application file"
        )
    if not service_names:
        if source.file is None and source.reference is None:
            raise InputError("give service, task-definition, or config")
        if values.given("image-tag-parameter"):
            raise InputError("image-tag-parameter needs service: it records what a service runs")
        return (), RegisterOnlySpec(source=source, containers=containers, changes=changes)
    service = ServiceSpec(
        name=service_names[0],
        containers=containers,
        source=source,
        force_new_deployment=values.get("force-new-deployment"),
        desired_count=values.get("desired-count"),
        mode=parse_mode(values.text("mode")) or Mode.AUTO,
        codedeploy=codedeploy_from_inputs(values.raw, workspace),
        changes=changes,
        update_params=service_update_params(values),
        image_tag_parameter=values.text("image-tag-parameter"),
    )
    return (service,), None


def _containers_from(
    definitions: ImageDefinitions, names: tuple[str, ...]
) -> tuple[ContainerSpec, ...]:
    """imagedefinitions.json names the containers; imageDetail.json's image needs one named."""
    if definitions.names_containers:
        if names:
            raise InputError(
                f"give image-definitions or container-name, not both: {definitions.path.name} "
                "names the containers"
            )
        return tuple(
            ContainerSpec(str(entry.name), image=entry.image, source=entry.location)
            for entry in definitions.entries
        )
    entry = definitions.entries[0]
    if len(names) != 1:
        raise InputError(
            f"image-definitions: {definitions.path.name} has one image and names no container; "
            "give its container as container-name (one name)",
            location=entry.location,
        )
    return (ContainerSpec(names[0], image=entry.image, source=entry.location),)


def _run_task(values: InputValues, services: tuple[ServiceSpec, ...]) -> tuple[TaskSpec, ...]:
    """The official action's run-task: the rendered task definition, run once before the update."""
    if not values.get("run-task"):
        return ()
    subnets: tuple[str, ...] = values.get("run-task-subnets") or ()
    groups: tuple[str, ...] = values.get("run-task-security-groups") or ()
    capacity: list[dict[str, Any]] = values.get("run-task-capacity-provider-strategy") or []
    return (
        TaskSpec(
            name="run-task",
            from_service=services[0].name if services else None,
            # A capacity provider strategy replaces the launch type, as in the official action.
            launch_type=None if capacity else values.get("run-task-launch-type"),
            capacity_provider_strategy=tuple(
                _capacity_provider_item(item, index) for index, item in enumerate(capacity)
            ),
            vpc_configuration=VpcConfiguration(
                subnets=subnets,
                security_groups=groups,
                assign_public_ip=values.get("run-task-assign-public-IP") == "ENABLED",
            )
            if subnets
            else None,
            container_overrides=tuple(values.get("run-task-container-overrides") or ()),
            started_by=values.get("run-task-started-by"),
            tags=tuple(
                (str(tag.get("key", "")), str(tag.get("value", "")))
                for tag in values.get("run-task-tags") or ()
            ),
            wait=values.get("wait-for-task-stopped"),
            run_params=run_task_params(values),
        ),
    )


_CAPACITY_PROVIDER_LIMITS = {"base": 100000, "weight": 1000}  # RunTask's own bounds


def _capacity_provider_item(item: Mapping[str, Any], index: int) -> CapacityProviderItem:
    """One item of run-task-capacity-provider-strategy, checked the way RunTask would."""
    where = f"run-task-capacity-provider-strategy[{index}]"
    unknown = sorted(set(item) - {"capacityProvider", *_CAPACITY_PROVIDER_LIMITS})
    if unknown:
        raise InputError(
            f"{where}: unknown key {unknown[0]!r}; use capacityProvider, base and weight"
        )
    provider = item.get("capacityProvider")
    if not isinstance(provider, str) or not provider.strip():
        raise InputError(f"{where}.capacityProvider: must be a capacity provider's name")
    numbers: dict[str, int] = {}
    for key, maximum in _CAPACITY_PROVIDER_LIMITS.items():
        value = item.get(key, 0)
        # bool is an int to Python, not to RunTask.
        if isinstance(value, bool) or not isinstance(value, int):
            raise InputError(f"{where}.{key}: must be a whole number from 0 to {maximum}")
        if not 0 <= value <= maximum:
            raise InputError(f"{where}.{key}: {value} must be from 0 to {maximum}")
        numbers[key] = value
    return CapacityProviderItem(
        capacity_provider=provider.strip(), base=numbers["base"], weight=numbers["weight"]
    )


def _task_definition_source(values: InputValues, workspace: Path) -> TaskDefinitionSource:
    """task-definition (a file or a reference), or the render action's arn/family/revision."""
    given = [name for name in _SOURCE_INPUTS if values.given(name)]
    if len(given) > 1:
        raise InputError(f"give one of {', '.join(given)}: both name the task definition")
    revision: int | None = values.get("task-definition-revision")
    if revision is not None and not values.given("task-definition-family"):
        raise InputError(
            "task-definition-revision needs task-definition-family (the family of the revision)"
        )
    arn = values.text("task-definition-arn")
    if arn is not None:
        if not (arn.startswith("arn:") and ":task-definition/" in arn):
            raise InputError(
                f"task-definition-arn: {arn!r} is not a task definition ARN "
                "(arn:aws:ecs:REGION:ACCOUNT:task-definition/FAMILY:REVISION)"
            )
        return TaskDefinitionSource(reference=arn)
    family = values.text("task-definition-family")
    if family is not None:
        if ":" in family or "/" in family:
            raise InputError(
                f"task-definition-family: {family!r} is not a family name; give the revision "
                "as task-definition-revision, an ARN as task-definition-arn"
            )
        return TaskDefinitionSource(reference=f"{family}:{revision}" if revision else family)
    value = values.text("task-definition")
    if not value:
        return TaskDefinitionSource()
    if looks_like_file(value) or (workspace / value).is_file():
        return TaskDefinitionSource(file=_resolve(value, workspace))
    return TaskDefinitionSource(reference=value)


def _resolve(value: str, workspace: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else workspace / path


def _rollback(values: InputValues, from_file: RollbackPolicy) -> RollbackPolicy:
    """Inputs win over the application file's `rollback` and `rollback_scope`."""
    on_failure = (
        values.get("rollback") == "on-failure" if values.given("rollback") else from_file.on_failure
    )
    scope = (
        RollbackScope(values.get("rollback-scope"))
        if values.given("rollback-scope")
        else from_file.scope
    )
    return RollbackPolicy(on_failure=on_failure, scope=scope)


def _check_tag(tag: str) -> None:
    # with_tag validates the tag alone; the repository here is only a carrier.
    ImageRef.parse("image").with_tag(tag)
