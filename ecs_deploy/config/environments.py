"""Promotion: one application file, deployed to each environment with that environment's overrides.

```yaml
environments:
  test:
    cluster: app-test
    services:
      web: {desired_count: 1, environment: {LOG_LEVEL: debug}}
  prod:
    cluster: app-prod
    services:
      web: {desired_count: 3}
```
The `environment` input chooses one; its `cluster` replaces the file's, and each service's
`desired_count`, `max_wait`, `image_tag_parameter` and `environment` values (set in the
service's listed containers) apply over the service's own. Inputs (`cluster`,
`desired-count`, `image-tag-parameter`) still win over both. Every
environment is checked whichever is chosen, so a typo in `prod` fails the `test` deploy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ecs_deploy.config.documents import LocatedDocument, format_path
from ecs_deploy.config.parameter_names import check_parameter_name
from ecs_deploy.config.settings import ServiceSpec
from ecs_deploy.errors import InputError


@dataclass(frozen=True, slots=True)
class Promoted:
    environment: str | None
    cluster: str | None  # None: the file's own
    services: tuple[ServiceSpec, ...]


def apply_environment(
    document: LocatedDocument,
    services: tuple[ServiceSpec, ...],
    cluster: str | None,
    chosen: str | None,
) -> Promoted:
    data: Mapping[str, Any] = document.data if isinstance(document.data, Mapping) else {}
    environments: Mapping[str, Any] | None = data.get("environments")
    file_name = document.path.name
    if environments is None:
        if chosen is not None:
            raise InputError(
                f"environment '{chosen}' was given, but {file_name} has no environments: "
                "add an environments: entry for it, or leave environment out",
                location=document.location(()),
            )
        return Promoted(None, cluster, services)
    names = sorted(environments)
    where = document.location(("environments",), of_key=True)
    for name in names:
        _check_environment(document, name, environments[name] or {}, services)
    if chosen is None:
        raise InputError(
            f"{file_name} has environments ({', '.join(names)}): give environment to choose one",
            location=where,
        )
    if chosen not in environments:
        raise InputError(
            f"environment '{chosen}' is not in {file_name}; it has {', '.join(names)}",
            location=where,
        )
    entry: Mapping[str, Any] = environments[chosen] or {}
    overrides: Mapping[str, Mapping[str, Any]] = entry.get("services") or {}
    return Promoted(
        environment=chosen,
        cluster=entry.get("cluster") or cluster,
        services=tuple(_override(spec, overrides.get(spec.name)) for spec in services),
    )


def _check_environment(
    document: LocatedDocument,
    name: str,
    entry: Mapping[str, Any],
    services: tuple[ServiceSpec, ...],
) -> None:
    by_name = {spec.name: spec for spec in services}
    for service, override in (entry.get("services") or {}).items():
        place = ("environments", name, "services", service)
        spec = by_name.get(service)
        if spec is None:
            raise InputError(
                f"environments.{name}.services: '{service}' is not a service of "
                f"{document.path.name}; it lists {', '.join(sorted(by_name))}",
                location=document.location(place, of_key=True),
            )
        parameter = override.get("image_tag_parameter")
        if parameter is not None:
            try:
                check_parameter_name(parameter, what=format_path((*place, "image_tag_parameter")))
            except InputError as exc:
                exc.location = document.location((*place, "image_tag_parameter"))
                raise
        if override.get("environment") and not spec.containers:
            raise InputError(
                f"environments.{name}.services.{service}.environment: the values go into the "
                f"service's listed containers, and '{service}' lists none; add its containers",
                location=document.location((*place, "environment"), of_key=True),
            )


def _override(spec: ServiceSpec, override: Mapping[str, Any] | None) -> ServiceSpec:
    if not override:
        return spec
    max_wait = override.get("max_wait")
    environment = tuple((str(k), str(v)) for k, v in (override.get("environment") or {}).items())
    return dataclasses.replace(
        spec,
        desired_count=override.get("desired_count", spec.desired_count),
        max_wait_seconds=max_wait * 60.0 if max_wait is not None else spec.max_wait_seconds,
        image_tag_parameter=override.get("image_tag_parameter", spec.image_tag_parameter),
        changes=dataclasses.replace(
            spec.changes, environment=(*spec.changes.environment, *environment)
        )
        if environment
        else spec.changes,
    )
