"""The official deploy action's pass-through parameters: managed tags, tag propagation and
EBS volumes configured at launch, as extra UpdateService and RunTask parameters.

Only what was asked is sent: an absent input adds no key (an empty `volumeConfigurations`
would remove EBS settings that Terraform manages, and `propagateTags` would override the
service's own).
"""

from __future__ import annotations

from typing import Any

from ecs_deploy.config.readers import InputValues
from ecs_deploy.errors import InputError


def service_update_params(values: InputValues) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if values.given("enable-ecs-managed-tags"):
        params["enableECSManagedTags"] = values.get("enable-ecs-managed-tags")
    if values.given("propagate-tags"):
        params["propagateTags"] = values.get("propagate-tags")
    volume = _volume(values, "service-managed-ebs-volume")
    if volume is not None:
        params["volumeConfigurations"] = [volume]
    return params


def run_task_params(values: InputValues) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if values.given("enable-ecs-managed-tags"):
        params["enableECSManagedTags"] = values.get("enable-ecs-managed-tags")
    volume = _volume(values, "run-task-managed-ebs-volume")
    if volume is not None:
        params["volumeConfigurations"] = [volume]
    return params


def check_volume_inputs(values: InputValues) -> None:
    """Both EBS pairs, whether or not their API call happens in this run."""
    _volume(values, "service-managed-ebs-volume")
    _volume(values, "run-task-managed-ebs-volume")


def _volume(values: InputValues, name: str) -> dict[str, Any] | None:
    """{"name", "managedEBSVolume"} from `<name>-name` and `<name>`; None when neither is given."""
    volume_name: str | None = values.get(f"{name}-name")
    configuration: dict[str, Any] | None = values.get(name)
    if volume_name is None and configuration is None:
        return None
    if volume_name is None:
        raise InputError(f"{name} needs {name}-name: the task definition volume it configures")
    if configuration is None:
        raise InputError(f"{name}-name needs {name}: the volume's configuration (a JSON object)")
    role = configuration.get("roleArn")
    if not isinstance(role, str) or not role.strip():
        raise InputError(
            f"{name}: roleArn is required (the infrastructure role ECS uses to manage the volume)"
        )
    return {"name": volume_name, "managedEBSVolume": dict(configuration)}
