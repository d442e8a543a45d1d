"""CodeDeploy AppSpec for ECS: read (YAML or JSON, keys case-insensitive), generate, fill. Pure.

    version: 0.0
    Resources:
      - TargetService:
          Type: AWS::ECS::Service
          Properties:
            TaskDefinition: <filled in>
            LoadBalancerInfo: {ContainerName: web, ContainerPort: 8080}

The user's spelling of a key is kept (CodeDeploy reads keys case-insensitively, as does the
official action); a key that is missing is added in CodeDeploy's own spelling.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ecs_deploy.errors import InputError


@dataclass(frozen=True, slots=True)
class RenderedAppSpec:
    content: str  # JSON: what CreateDeployment's AppSpecContent carries
    sha256: str  # of `content`, hex

    @property
    def revision(self) -> dict[str, Any]:
        return {
            "revisionType": "AppSpecContent",
            "appSpecContent": {"content": self.content, "sha256": self.sha256},
        }


def check_appspec(document: object, source: str) -> dict[str, Any]:
    """The document as a mapping with one ECS TargetService; an InputError says what is wrong."""
    if not isinstance(document, Mapping):
        raise InputError(f"{source}: an AppSpec is a mapping with version and Resources")
    resources = _get(document, "resources")
    if not isinstance(resources, list) or not resources:
        raise InputError(f"{source}: the AppSpec needs Resources with one TargetService")
    _target_properties(dict(document), source)
    return copy.deepcopy(dict(document))


def generated_appspec(container_name: str, container_port: int) -> dict[str, Any]:
    """What the official action expects in a file, built from the service's load balancer."""
    return {
        "version": 0.0,
        "Resources": [
            {
                "TargetService": {
                    "Type": "AWS::ECS::Service",
                    "Properties": {
                        "TaskDefinition": "",
                        "LoadBalancerInfo": {
                            "ContainerName": container_name,
                            "ContainerPort": container_port,
                        },
                    },
                }
            }
        ],
    }


def render_appspec(
    appspec: Mapping[str, Any],
    task_definition_arn: str,
    *,
    container_name: str | None = None,
    container_port: int | None = None,
    source: str = "AppSpec",
) -> RenderedAppSpec:
    """Fill TaskDefinition (always), ContainerName and ContainerPort (when given)."""
    document = copy.deepcopy(dict(appspec))
    properties = _target_properties(document, source)
    _set(properties, "TaskDefinition", task_definition_arn)
    if container_name is not None or container_port is not None:
        info = _get(properties, "loadbalancerinfo")
        if not isinstance(info, dict):
            info = {}
            _set(properties, "LoadBalancerInfo", info)
        if container_name is not None:
            _set(info, "ContainerName", container_name)
        if container_port is not None:
            _set(info, "ContainerPort", container_port)
    content = json.dumps(document, sort_keys=False, default=str)
    return RenderedAppSpec(content, hashlib.sha256(content.encode()).hexdigest())


def _target_properties(document: dict[str, Any], source: str) -> dict[str, Any]:
    """Properties of the first resource (the official action's rule: one ECS TargetService)."""
    resources = _get(document, "resources")
    first = resources[0] if isinstance(resources, list) and resources else None
    target = next(iter(first.values()), None) if isinstance(first, dict) and first else None
    properties = _get(target, "properties") if isinstance(target, dict) else None
    if not isinstance(properties, dict):
        raise InputError(
            f"{source}: the AppSpec's first resource needs Properties "
            "(TaskDefinition, LoadBalancerInfo)"
        )
    return properties


def _key(mapping: Mapping[str, Any], lowered: str) -> str | None:
    return next((key for key in mapping if str(key).lower() == lowered), None)


def _get(mapping: object, lowered: str) -> Any:
    if not isinstance(mapping, Mapping):
        return None
    key = _key(mapping, lowered)
    return None if key is None else mapping[key]


def _set(mapping: dict[str, Any], name: str, value: Any) -> None:
    mapping[_key(mapping, name.lower()) or name] = value
