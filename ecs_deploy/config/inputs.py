"""Inputs: one table, two readers (GitHub's INPUT_* env and CLI flags), one typed conversion.

Both readers produce the same `RawInputs` (input name -> text as the user wrote it), so the
action and the CLI can never disagree on what an input means.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecs_deploy.config.appfile import (
    DEFAULT_FILE_NAMES,
    AppFile,
    load_app_file,
    looks_like_file,
    service_name,
)
from ecs_deploy.config.bluegreen import (
    Mode,
    codedeploy_from_inputs,
    parse_mode,
    parse_wait_until,
)
from ecs_deploy.config.durations import parse_duration
from ecs_deploy.config.render_inputs import RENDER_INPUT_NAMES, changes_from_inputs
from ecs_deploy.config.settings import (
    CapacityProviderItem,
    ContainerSpec,
    FailFastPolicy,
    GitHubFiles,
    RegisterOnlySpec,
    RollbackPolicy,
    RollbackScope,
    ServiceSpec,
    Settings,
    TaskDefinitionSource,
    TaskSpec,
    VpcConfiguration,
)
from ecs_deploy.errors import InputError
from ecs_deploy.plan.image import ImageRef

RawInputs = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class InputSpec:
    name: str
    help: str
    default: str | None = None
    boolean: bool = False


INPUTS: tuple[InputSpec, ...] = (
    InputSpec("config", "Application file (.ecs-deploy.yml) listing cluster, services and tasks."),
    InputSpec(
        "task-definition", "Task definition file (JSON/YAML), or a family, family:revision or ARN."
    ),
    InputSpec("service", "Service to deploy (with config: only these services, comma list)."),
    InputSpec("cluster", "Cluster name or ARN.", default="default"),
    InputSpec("container-name", "Containers whose image changes (comma list)."),
    InputSpec("image", "New image for container-name."),
    InputSpec("image-tag", "New tag for the named containers; registry and repository are kept."),
    InputSpec(
        "wait-for-service-stability", "Wait for the deployment's verdict.", "true", boolean=True
    ),
    InputSpec("wait-for-minutes", "How long to wait for the verdict, in minutes.", default="30"),
    InputSpec(
        "timeout", "How long to wait, as a duration (90s, 10m, 1h); overrides wait-for-minutes."
    ),
    InputSpec("poll-interval", "Time between status polls (a duration).", default="5s"),
    InputSpec(
        "force-new-deployment",
        "Start a new deployment even when nothing changed.",
        "false",
        boolean=True,
    ),
    InputSpec("desired-count", "Set the service's desired count (not changed unless given)."),
    InputSpec("dry-run", "Print the plan and change nothing.", default="false", boolean=True),
    InputSpec(
        "rollback", "never, or on-failure: redeploy the previous revisions.", default="never"
    ),
    InputSpec(
        "rollback-scope", "failed: the failed services; all: every service changed.", "failed"
    ),
    InputSpec("max-start-failures", "Tasks failing to start before the verdict is failed.", "2"),
    InputSpec("placement-grace", "How long tasks may stay unplaceable (a duration).", "2m"),
    # Standalone tasks: the official action's one-task inputs, then the application file's.
    InputSpec(
        "run-task",
        "Run the task definition as a task before the service update.",
        "false",
        boolean=True,
    ),
    InputSpec("run-task-container-overrides", "RunTask containerOverrides (a JSON list)."),
    InputSpec("run-task-security-groups", "Security groups of the task (comma list)."),
    InputSpec("run-task-subnets", "Subnets of the task (comma list)."),
    InputSpec("run-task-assign-public-IP", "ENABLED or DISABLED.", default="DISABLED"),
    InputSpec("run-task-capacity-provider-strategy", "A JSON list of capacity providers."),
    InputSpec("run-task-launch-type", "FARGATE, EC2 or EXTERNAL.", default="FARGATE"),
    InputSpec("run-task-started-by", "startedBy of the task.", default="GitHub-Actions"),
    InputSpec("run-task-tags", "Tags of the task (a JSON list of key/value objects)."),
    InputSpec(
        "wait-for-task-stopped",
        "Wait for run-task to stop and check its exit codes.",
        "false",
        boolean=True,
    ),
    InputSpec(
        "skip-pre-tasks", "Do not run tasks.pre of the application file.", "false", boolean=True
    ),
    InputSpec(
        "skip-post-tasks", "Do not run tasks.post of the application file.", "false", boolean=True
    ),
    # aws-actions/amazon-ecs-render-task-definition: edits to container-name's containers
    InputSpec("environment-variables", "KEY=value lines to set in the containers' environment."),
    InputSpec("secrets", "KEY=valueFrom lines (Secrets Manager or SSM ARNs) to set."),
    InputSpec("docker-labels", "KEY=value lines to set as Docker labels."),
    InputSpec("command", "The containers' command (split like a shell does)."),
    InputSpec("log-configuration-log-driver", "Log driver of the containers (awslogs, ...)."),
    InputSpec("log-configuration-options", "KEY=value lines of log driver options."),
    InputSpec("env-files", "S3 object ARNs of environment files, one per line."),
    InputSpec("task-role-arn", "The task role to set."),
    InputSpec("execution-role-arn", "The task execution role to set."),
    # blue/green
    InputSpec(
        "mode",
        "ecs (rolling or ECS-native blue/green; `rolling` is accepted too), codedeploy or auto "
        "(follow the service's controller).",
        "auto",
    ),
    InputSpec("codedeploy-appspec", "AppSpec file (YAML or JSON) for CodeDeploy.", "appspec.yaml"),
    InputSpec("codedeploy-application", "CodeDeploy application.", "AppECS-{cluster}-{service}"),
    InputSpec(
        "codedeploy-deployment-group", "CodeDeploy deployment group.", "DgpECS-{cluster}-{service}"
    ),
    InputSpec("codedeploy-deployment-description", "Deployment description (512 characters)."),
    InputSpec("codedeploy-deployment-config", "CodeDeploy deployment configuration name."),
    InputSpec("codedeploy-container-name", "ContainerName to set in the AppSpec."),
    InputSpec("codedeploy-container-port", "ContainerPort to set in the AppSpec."),
    InputSpec(
        "wait-until",
        "Return early: ready (CodeDeploy Ready for test traffic) or an ECS lifecycle stage.",
    ),
    InputSpec(
        "continue-deployment",
        "Deploy nothing: continue this paused deployment (service deployment ARN or CodeDeploy"
        " id).",
    ),
    InputSpec("continue-action", "CONTINUE or ROLLBACK, for continue-deployment.", "CONTINUE"),
    InputSpec("hook-id", "The lifecycle hook to continue (default: the one awaiting action)."),
)
_BY_NAME = {spec.name: spec for spec in INPUTS}
# Shorter polls only spend the account's API rate (DescribeServices is shared with others).
MIN_POLL_INTERVAL_SECONDS = 0.1
_TRUE = {"true", "yes", "y", "on", "1"}
_FALSE = {"false", "no", "n", "off", "0"}


def read_action_inputs(environ: Mapping[str, str]) -> dict[str, str]:
    """INPUT_TASK-DEFINITION (GitHub's form) or INPUT_TASK_DEFINITION (a shell's form).

    GitHub sets declared inputs without a default to "", so empty means "not given".
    """
    raw: dict[str, str] = {}
    for spec in INPUTS:
        upper = spec.name.upper()
        for key in (f"INPUT_{upper}", f"INPUT_{upper.replace('-', '_')}"):
            value = environ.get(key, "").strip()
            if value:
                raw[spec.name] = value
                break
    return raw


def add_cli_arguments(parser: argparse.ArgumentParser) -> None:
    for spec in INPUTS:
        default_note = f" (default: {spec.default})" if spec.default else ""
        if spec.boolean:
            parser.add_argument(
                f"--{spec.name}",
                dest=_dest(spec),
                nargs="?",
                const="true",
                metavar="true|false",
                help=spec.help + default_note,
            )
        else:
            parser.add_argument(
                f"--{spec.name}", dest=_dest(spec), metavar="VALUE", help=spec.help + default_note
            )


def _dest(spec: InputSpec) -> str:
    # Prefixed: an input named like argparse's own fields (`command`) must not overwrite them.
    return "input_" + spec.name.replace("-", "_")


def read_cli_inputs(namespace: argparse.Namespace) -> dict[str, str]:
    values = vars(namespace)
    raw: dict[str, str] = {}
    for spec in INPUTS:
        value = values.get(_dest(spec))
        if value is not None and str(value).strip():
            raw[spec.name] = str(value).strip()
    return raw


def build_settings(raw: RawInputs, environ: Mapping[str, str] | None = None) -> Settings:
    """Validate every input and the application file; nothing here talks to AWS."""
    env = os.environ if environ is None else environ
    unknown = sorted(set(raw) - set(_BY_NAME))
    if unknown:
        raise InputError(f"unknown input '{unknown[0]}'")
    workspace = Path(env.get("GITHUB_WORKSPACE") or Path.cwd())
    image_tag = raw.get("image-tag")
    if image_tag is not None:
        _check_tag(image_tag)

    config_path = _config_path(raw, workspace)
    if config_path is not None:
        cluster, services, app = _from_app_file(raw, config_path)
        pre, post = app.pre_tasks, app.post_tasks
        file_rollback = app.rollback
        register_only = None
    else:
        cluster = raw.get("cluster", "default")
        services, register_only = _from_inputs(raw, workspace)
        pre, post = _run_task(raw, services), ()
        file_rollback = RollbackPolicy()

    timeout = (
        parse_duration(raw["timeout"], name="timeout")
        if "timeout" in raw
        else _positive_number(raw.get("wait-for-minutes", "30"), "wait-for-minutes") * 60
    )
    poll_interval = parse_duration(raw.get("poll-interval", "5s"), name="poll-interval")
    if timeout <= 0:
        raise InputError("timeout must be greater than zero")
    if not math.isfinite(timeout):
        raise InputError("wait-for-minutes: too large; give a number of minutes")
    if poll_interval <= 0:
        raise InputError("poll-interval must be greater than zero")
    if poll_interval < MIN_POLL_INTERVAL_SECONDS:
        raise InputError(
            f"poll-interval: {raw.get('poll-interval')!r} is too short; poll at most every 100ms"
        )
    return Settings(
        cluster=cluster,
        services=services,
        register_only=register_only,
        pre_tasks=pre,
        post_tasks=post,
        image_tag=image_tag,
        wait=_boolean(raw, "wait-for-service-stability"),
        timeout_seconds=timeout,
        poll_interval_seconds=poll_interval,
        dry_run=_boolean(raw, "dry-run"),
        skip_pre_tasks=_boolean(raw, "skip-pre-tasks"),
        skip_post_tasks=_boolean(raw, "skip-post-tasks"),
        wait_until=parse_wait_until(raw.get("wait-until")),
        rollback=_rollback(raw, file_rollback),
        fail_fast=FailFastPolicy(
            max_start_failures=_whole_number(raw, "max-start-failures", minimum=1)
            or FailFastPolicy().max_start_failures,
            placement_grace_seconds=parse_duration(
                raw.get("placement-grace", "2m"), name="placement-grace"
            ),
        ),
        config_file=config_path,
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
        github=GitHubFiles(
            output=_optional_path(env.get("GITHUB_OUTPUT")),
            step_summary=_optional_path(env.get("GITHUB_STEP_SUMMARY")),
            in_actions=env.get("GITHUB_ACTIONS") == "true",
        ),
    )


def _config_path(raw: RawInputs, workspace: Path) -> Path | None:
    if "config" in raw:
        return _resolve(raw["config"], workspace)
    if any(name in raw for name in ("task-definition", "container-name", "image", "service")):
        return None
    # Nothing names what to deploy: use the application file in the workspace, if any.
    for name in DEFAULT_FILE_NAMES:
        if (workspace / name).is_file():
            return workspace / name
    raise InputError(
        "nothing to deploy: give config (an application file), or service and task-definition"
    )


def _from_app_file(raw: RawInputs, path: Path) -> tuple[str, tuple[ServiceSpec, ...], AppFile]:
    run_task_inputs = [name for name in raw if name.startswith("run-task")]
    render_inputs = [name for name in RENDER_INPUT_NAMES if name in raw]
    for conflicting in (
        "task-definition",
        "container-name",
        "image",
        *run_task_inputs,
        *render_inputs,
    ):
        if conflicting in raw:
            raise InputError(
                f"{conflicting} cannot be combined with config; set it per service in {path.name}"
            )
    app = load_app_file(path)
    services = app.services
    if "service" in raw:
        wanted = [service_name(name) for name in _comma_list(raw["service"])]
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
    desired = _desired_count(raw)
    if desired is not None:
        services = tuple(_with_desired_count(service, desired) for service in services)
    services = _blue_green_defaults(raw, services, path.parent)
    cluster = raw.get("cluster") or app.cluster or "default"
    return cluster, services, app


def _blue_green_defaults(
    raw: RawInputs, services: tuple[ServiceSpec, ...], base_dir: Path
) -> tuple[ServiceSpec, ...]:
    """mode and codedeploy-* inputs apply where a service of the file does not say."""
    mode = parse_mode(raw.get("mode")) or Mode.AUTO
    codedeploy = codedeploy_from_inputs(raw, base_dir)
    return tuple(
        dataclasses.replace(
            service,
            mode=service.mode if service.mode is not Mode.AUTO else mode,
            codedeploy=service.codedeploy.over(codedeploy),
        )
        for service in services
    )


def _with_desired_count(service: ServiceSpec, desired: int) -> ServiceSpec:
    return dataclasses.replace(service, desired_count=desired)


def _from_inputs(
    raw: RawInputs, workspace: Path
) -> tuple[tuple[ServiceSpec, ...], RegisterOnlySpec | None]:
    names = _comma_list(raw.get("container-name", ""))
    image = raw.get("image")
    if image is not None:
        ImageRef.parse(image)
        if not names:
            raise InputError("image needs container-name: name the container that runs it")
        if "image-tag" in raw:
            raise InputError("give image or image-tag, not both")
    changes = changes_from_inputs(raw)
    if names and image is None and "image-tag" not in raw and not changes.changes_containers:
        raise InputError("container-name needs image, image-tag or a change to the containers")
    if changes.changes_containers and not names:
        raise InputError(
            "environment-variables, secrets, docker-labels, command, log-configuration-* and "
            "env-files change the containers named by container-name: give container-name"
        )
    containers = tuple(ContainerSpec(name=name, image=image) for name in names)
    source = _task_definition_source(raw.get("task-definition"), workspace)
    force = _boolean(raw, "force-new-deployment")
    desired = _desired_count(raw)
    service_names = [service_name(name) for name in _comma_list(raw.get("service", ""))]
    if len(service_names) > 1:
        raise InputError(
            "service takes one name without config; list several in an application file"
        )
    if not service_names:
        if source.file is None and source.reference is None:
            raise InputError("give service, task-definition, or config")
        return (), RegisterOnlySpec(source=source, containers=containers, changes=changes)
    service = ServiceSpec(
        name=service_names[0],
        containers=containers,
        source=source,
        force_new_deployment=force,
        desired_count=desired,
        mode=parse_mode(raw.get("mode")) or Mode.AUTO,
        codedeploy=codedeploy_from_inputs(raw, workspace),
        changes=changes,
    )
    return (service,), None


def _run_task(raw: RawInputs, services: tuple[ServiceSpec, ...]) -> tuple[TaskSpec, ...]:
    """The official action's run-task: the rendered task definition, run once before the update."""
    if not _boolean(raw, "run-task"):
        return ()
    assign = raw.get("run-task-assign-public-IP", "DISABLED").strip().upper()
    if assign not in ("ENABLED", "DISABLED"):
        raise InputError(f"run-task-assign-public-IP: {assign!r} must be ENABLED or DISABLED")
    subnets = _comma_list(raw.get("run-task-subnets", ""))
    groups = _comma_list(raw.get("run-task-security-groups", ""))
    capacity = _json_list(raw, "run-task-capacity-provider-strategy")
    launch_type = raw.get("run-task-launch-type", "FARGATE").strip().upper()
    if launch_type not in ("FARGATE", "EC2", "EXTERNAL"):
        raise InputError(f"run-task-launch-type: {launch_type!r} must be FARGATE, EC2 or EXTERNAL")
    return (
        TaskSpec(
            name="run-task",
            from_service=services[0].name if services else None,
            # A capacity provider strategy replaces the launch type, as in the official action.
            launch_type=None if capacity else launch_type,
            capacity_provider_strategy=tuple(
                _capacity_provider_item(item, index) for index, item in enumerate(capacity)
            ),
            vpc_configuration=VpcConfiguration(
                subnets=tuple(subnets),
                security_groups=tuple(groups),
                assign_public_ip=assign == "ENABLED",
            )
            if subnets
            else None,
            container_overrides=tuple(_json_list(raw, "run-task-container-overrides")),
            started_by=raw.get("run-task-started-by", "GitHub-Actions"),
            tags=tuple(
                (str(tag.get("key", "")), str(tag.get("value", "")))
                for tag in _json_list(raw, "run-task-tags")
            ),
            wait=_boolean(raw, "wait-for-task-stopped"),
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


def _json_list(raw: RawInputs, name: str) -> list[dict[str, Any]]:
    text = raw.get(name)
    if not text:
        return []
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}: not valid JSON: {exc.msg} at character {exc.pos}") from None
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise InputError(f"{name}: must be a JSON list of objects")
    return value


def _task_definition_source(value: str | None, workspace: Path) -> TaskDefinitionSource:
    if not value:
        return TaskDefinitionSource()
    if looks_like_file(value) or (workspace / value).is_file():
        return TaskDefinitionSource(file=_resolve(value, workspace))
    return TaskDefinitionSource(reference=value)


def _resolve(value: str, workspace: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else workspace / path


def _optional_path(value: str | None) -> Path | None:
    return Path(value) if value else None


def _comma_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _boolean(raw: RawInputs, name: str) -> bool:
    value = raw.get(name, _BY_NAME[name].default or "false").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InputError(f"{name}: {raw.get(name)!r} is not a boolean; use true or false")


def _desired_count(raw: RawInputs) -> int | None:
    return _whole_number(raw, "desired-count", minimum=0)


def _whole_number(raw: RawInputs, name: str, *, minimum: int) -> int | None:
    text = raw.get(name)
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        raise InputError(f"{name}: {text!r} is not a whole number") from None
    if value < minimum:
        raise InputError(
            f"{name}: {text!r} must be zero or more"
            if minimum == 0
            else f"{name}: {text!r} must be {minimum} or more"
        )
    return value


def _rollback(raw: RawInputs, from_file: RollbackPolicy) -> RollbackPolicy:
    """Inputs win over the application file's `rollback` and `rollback_scope`."""
    on_failure = from_file.on_failure
    if "rollback" in raw:
        value = raw["rollback"].strip().lower()
        if value not in ("never", "on-failure"):
            raise InputError(f"rollback: {raw['rollback']!r} must be never or on-failure")
        on_failure = value == "on-failure"
    scope = from_file.scope
    if "rollback-scope" in raw:
        try:
            scope = RollbackScope(raw["rollback-scope"].strip().lower())
        except ValueError:
            raise InputError(
                f"rollback-scope: {raw['rollback-scope']!r} must be failed or all"
            ) from None
    return RollbackPolicy(on_failure=on_failure, scope=scope)


def _positive_number(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{name}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise InputError(f"{name}: {text!r} is not a finite number")
    if value <= 0:
        raise InputError(f"{name}: {text!r} must be greater than zero")
    return value


def _check_tag(tag: str) -> None:
    # with_tag validates the tag alone; the repository here is only a carrier.
    ImageRef.parse("image").with_tag(tag)
