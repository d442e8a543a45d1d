"""The application file (.ecs-deploy.yml, or an ecs-toolkit .ecs-toolkit.yml unchanged)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ecs_deploy.config.bluegreen import Mode, codedeploy_from_file, parse_mode
from ecs_deploy.config.documents import LocatedDocument, format_path, load_document
from ecs_deploy.config.environments import apply_environment
from ecs_deploy.config.parameter_names import check_parameter_name
from ecs_deploy.config.settings import (
    CapacityProviderItem,
    ContainerSpec,
    RollbackPolicy,
    RollbackScope,
    ServiceSpec,
    TaskDefinitionSource,
    TaskSpec,
    VpcConfiguration,
)
from ecs_deploy.errors import InputError

if TYPE_CHECKING:  # jsonschema is imported when a file is validated: a run without one is faster
    import jsonschema
    from jsonschema.exceptions import ValidationError

DEFAULT_FILE_NAMES = (".ecs-deploy.yml", ".ecs-deploy.yaml", ".ecs-toolkit.yml")


@dataclass(frozen=True, slots=True)
class AppFile:
    path: Path
    cluster: str | None
    services: tuple[ServiceSpec, ...]
    pre_tasks: tuple[TaskSpec, ...]
    post_tasks: tuple[TaskSpec, ...]
    rollback: RollbackPolicy
    environment: str | None = None  # the environments: entry deployed (promotion)
    keep_revisions: int | None = None
    # environments: each environment's cluster (None where it names none and the file neither)
    environment_clusters: tuple[tuple[str, str | None], ...] = ()


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    import jsonschema.validators

    text = resources.files("ecs_deploy.config").joinpath("schema/app-file.schema.json").read_text()
    schema = json.loads(text)
    validator_class = jsonschema.validators.validator_for(schema)
    return cast("jsonschema.protocols.Validator", validator_class(schema))


def load_app_file(path: Path, environment: str | None = None) -> AppFile:
    """`environment` chooses the file's `environments:` entry (see environments.py)."""
    document = load_document(path, what="application file")
    if not isinstance(document.data, dict):
        raise InputError(
            "application file must be a mapping with version, cluster and services",
            location=document.location(()),
        )
    _validate(document)
    data = cast(dict[str, Any], document.data)
    tasks = data.get("tasks") or {}
    _check_task_references(document, tasks)
    _check_parameter_names(document, data["services"])
    promoted = apply_environment(
        document,
        tuple(_service(item, path.parent) for item in data["services"]),
        data.get("cluster"),
        environment,
    )
    return AppFile(
        path=path,
        cluster=promoted.cluster,
        services=promoted.services,
        environment=promoted.environment,
        pre_tasks=tuple(_task(item) for item in tasks.get("pre") or ()),
        post_tasks=tuple(_task(item) for item in tasks.get("post") or ()),
        rollback=RollbackPolicy(
            on_failure=data.get("rollback", "never") == "on-failure",
            scope=RollbackScope(data.get("rollback_scope", "failed")),
        ),
        keep_revisions=data.get("keep_revisions"),
        environment_clusters=tuple(
            (str(name), (entry or {}).get("cluster") or data.get("cluster"))
            for name, entry in sorted((data.get("environments") or {}).items())
        ),
    )


def _check_parameter_names(document: LocatedDocument, services: Sequence[Any]) -> None:
    for index, item in enumerate(services):
        name = item.get("image_tag_parameter")
        if name is not None:
            where = ("services", index, "image_tag_parameter")
            try:
                check_parameter_name(name, what=format_path(where))
            except InputError as exc:
                exc.location = document.location(where)
                raise


def _check_task_references(document: LocatedDocument, tasks: Mapping[str, Any]) -> None:
    """Names are unique per phase and depends_on names an earlier task of the same phase."""
    for phase in ("pre", "post"):
        seen: set[str] = set()
        for index, item in enumerate(tasks.get(phase) or ()):
            name = item.get("name") or item["family"]
            where = ("tasks", phase, index)
            if name in seen:
                raise InputError(
                    f"tasks.{phase}[{index}]: another task is named '{name}'; give each a name",
                    location=document.location(where),
                )
            for needed in item.get("depends_on") or ():
                if needed not in seen:
                    raise InputError(
                        f"tasks.{phase}[{index}].depends_on: '{needed}' is not an earlier task "
                        f"of tasks.{phase}",
                        location=document.location((*where, "depends_on")),
                    )
            seen.add(name)


def _validate(document: LocatedDocument) -> None:
    errors = list(_validator().iter_errors(document.data))
    if not errors:
        return
    # The error deepest in the file first: it is the most specific one.
    error = max(errors, key=lambda e: (len(e.absolute_path), -_line_of(document, e)))
    where = tuple(error.absolute_path)
    message, location = _describe(error, where, document)
    raise InputError(message, location=location)


def _line_of(document: LocatedDocument, error: ValidationError) -> int:
    return document.location(tuple(error.absolute_path)).line or 0


def _describe(
    error: ValidationError, where: tuple[str | int, ...], document: LocatedDocument
) -> tuple[str, Any]:
    place = format_path(where)
    instance = error.instance
    if error.validator == "additionalProperties" and isinstance(instance, Mapping):
        allowed = set(cast(Mapping[str, Any], error.schema).get("properties", {}))
        unknown = sorted(str(key) for key in instance if key not in allowed)
        key = unknown[0] if unknown else "?"
        return (
            f"unknown key '{key}' in {place}; allowed keys: {', '.join(sorted(allowed))}",
            document.location((*where, key), of_key=True),
        )
    if error.validator == "required" and isinstance(instance, Mapping):
        required = cast(Sequence[str], error.validator_value)
        missing = next((key for key in required if key not in instance), "?")
        return f"missing required key '{missing}' in {place}", document.location(where)
    if error.validator == "oneOf" and where and "containers" in where:
        return (
            f"{place}: a container is a name or a mapping with name and optional image",
            document.location(where),
        )
    if error.validator == "not" and isinstance(instance, Mapping):
        return (
            f"{place}: give launch_type or capacity_provider_strategies, not both",
            document.location(where),
        )
    if error.validator == "type" and len(where) >= 2 and where[-2] == "environment":
        return (
            f"{place}: environment values must be strings, not {_json_type(instance)}; "
            "quote the value in the file",
            document.location(where),
        )
    # Never error.message: it embeds the value, and a value may be a password.
    return f"{place}: {_expectation(error)}", document.location(where)


def _expectation(error: ValidationError) -> str:
    """What the schema wants at the error's place, from the schema alone (no value echoed)."""
    wanted: Any = error.validator_value
    match error.validator:
        case "type":
            types = [wanted] if isinstance(wanted, str) else list(wanted)
            return f"must be {' or '.join(_a(t) for t in types)}, not {_json_type(error.instance)}"
        case "enum":
            return "must be one of " + ", ".join(json.dumps(item) for item in wanted)
        case "const":
            return f"must be {json.dumps(wanted)}"
        case "minimum":
            return f"must be {wanted} or more"
        case "maximum":
            return f"must be {wanted} or less"
        case "exclusiveMinimum":
            return f"must be more than {wanted}"
        case "exclusiveMaximum":
            return f"must be less than {wanted}"
        case "minItems":
            return f"must have at least {wanted} item{'s' if wanted != 1 else ''}"
        case "maxItems":
            return f"must have at most {wanted} item{'s' if wanted != 1 else ''}"
        case "minLength":
            return "must not be empty" if wanted == 1 else f"must be {wanted} characters or more"
        case "maxLength":
            return f"must be {wanted} characters or fewer"
        case "pattern":
            return f"must match the pattern {wanted}"
        case "uniqueItems":
            return "must not repeat an item"
        case "oneOf" | "anyOf":
            return "does not match any of the allowed forms"
        case "additionalProperties":
            return "has a key that is not allowed here"
        case _:
            return f"is not valid here ({error.validator})"


_JSON_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "a boolean"),
    (int, "an integer"),
    (float, "a number"),
    (str, "a string"),
    (list, "a list"),
    (Mapping, "a mapping"),
)


def _json_type(value: object) -> str:
    """The kind of a value, for messages: never the value itself."""
    if value is None:
        return "null"
    return next((name for kind, name in _JSON_TYPES if isinstance(value, kind)), "a value")


def _a(type_name: str) -> str:
    names = {"object": "a mapping", "array": "a list", "null": "null", "integer": "an integer"}
    return names.get(type_name, f"a {type_name}")


def _containers(items: Sequence[str | Mapping[str, str]] | None) -> tuple[ContainerSpec, ...]:
    specs = []
    for item in items or ():
        if isinstance(item, str):
            specs.append(ContainerSpec(name=item))
        else:
            specs.append(ContainerSpec(name=item["name"], image=item.get("image")))
    return tuple(specs)


def _service(item: Mapping[str, Any], base_dir: Path) -> ServiceSpec:
    task_definition = item.get("task_definition")
    max_wait = item.get("max_wait")
    return ServiceSpec(
        name=service_name(item["name"]),
        containers=_containers(item.get("containers")),
        source=_source(task_definition, base_dir) if task_definition else TaskDefinitionSource(),
        force_new_deployment=bool(item.get("force", False)),
        desired_count=item.get("desired_count"),
        max_wait_seconds=max_wait * 60.0 if max_wait is not None else None,
        mode=parse_mode(item.get("mode")) or Mode.AUTO,
        codedeploy=codedeploy_from_file(item.get("codedeploy"), base_dir),
        image_tag_parameter=item.get("image_tag_parameter"),
    )


def _source(value: str, base_dir: Path) -> TaskDefinitionSource:
    """A value that looks like a file is one (resolved next to the app file); else a reference."""
    if looks_like_file(value):
        path = Path(value)
        return TaskDefinitionSource(file=path if path.is_absolute() else base_dir / path)
    return TaskDefinitionSource(reference=value)


def service_name(value: str) -> str:
    """A service's name, also when given as its ARN.

    ECS answers by name (serviceName), so an ARN, old (service/NAME) or new
    (service/CLUSTER/NAME) form, is turned into the name it ends with.
    """
    if value.startswith("arn:") and ":service/" in value:
        return value.rsplit("/", 1)[-1]
    return value


def looks_like_file(value: str) -> bool:
    return value.lower().endswith((".json", ".yml", ".yaml")) or (
        "/" in value and not value.startswith("arn:")
    )


def _task(item: Mapping[str, Any]) -> TaskSpec:
    vpc = (item.get("network_configuration") or {}).get("vpc_configuration")
    timeout = item.get("timeout")
    return TaskSpec(
        name=item.get("name") or item["family"],
        family=item["family"],
        count=item.get("count", 1),
        containers=_containers(item.get("containers")),
        launch_type=item["launch_type"].upper() if item.get("launch_type") else None,
        capacity_provider_strategy=tuple(
            CapacityProviderItem(
                capacity_provider=entry["capacity_provider"],
                base=entry.get("base", 0),
                weight=entry.get("weight", 0),
            )
            for entry in item.get("capacity_provider_strategies") or ()
        ),
        vpc_configuration=VpcConfiguration(
            subnets=tuple(vpc["subnets"]),
            security_groups=tuple(vpc["security_groups"]),
            assign_public_ip=bool(vpc.get("assign_public_ip", False)),
        )
        if vpc
        else None,
        network_from_service=service_name(item["network_from_service"])
        if item.get("network_from_service")
        else None,
        command=tuple(item["command"]) if item.get("command") is not None else None,
        environment=tuple((str(k), v) for k, v in (item.get("environment") or {}).items()),
        timeout_seconds=timeout * 60.0 if timeout is not None else None,
        started_by=item.get("started_by"),
        depends_on=tuple(item.get("depends_on") or ()),
    )
