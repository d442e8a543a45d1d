from typing import Any

import pytest

from ecs_deploy.config.settings import TaskDefinitionChanges
from ecs_deploy.errors import InputError
from ecs_deploy.plan.changes import apply_changes

BASE: dict[str, Any] = {
    "family": "web",
    "containerDefinitions": [
        {
            "name": "app",
            "image": "r/app:1",
            "environment": [{"name": "MODE", "value": "old"}, {"name": "KEEP", "value": "1"}],
            "secrets": [{"name": "TOKEN", "valueFrom": "arn:aws:ssm:old"}],
            "dockerLabels": {"team": "core"},
        },
        {"name": "sidecar", "image": "r/sidecar:1"},
    ],
}


def test_entries_are_replaced_by_name_and_new_ones_appended() -> None:
    changes = TaskDefinitionChanges(
        environment=(("MODE", "new"), ("ADDED", "yes")),
        secrets=(("TOKEN", "arn:aws:ssm:new"),),
        docker_labels=(("release", "42"),),
        command=("bin/start", "--port", "80"),
    )
    result = apply_changes(BASE, ["app"], changes)
    app = result["containerDefinitions"][0]
    assert app["environment"] == [
        {"name": "MODE", "value": "new"},
        {"name": "KEEP", "value": "1"},
        {"name": "ADDED", "value": "yes"},
    ]
    assert app["secrets"] == [{"name": "TOKEN", "valueFrom": "arn:aws:ssm:new"}]
    assert app["dockerLabels"] == {"team": "core", "release": "42"}
    assert app["command"] == ["bin/start", "--port", "80"]
    assert result["containerDefinitions"][1] == BASE["containerDefinitions"][1]
    assert BASE["containerDefinitions"][0]["environment"][0]["value"] == "old"  # input untouched


def test_log_configuration_env_files_and_roles() -> None:
    changes = TaskDefinitionChanges(
        log_driver="awslogs",
        log_options=(("awslogs-group", "/ecs/web"),),
        env_files=("arn:aws:s3:::bucket/web.env",),
        task_role_arn="arn:aws:iam::1:role/task",
        execution_role_arn="arn:aws:iam::1:role/exec",
    )
    result = apply_changes(BASE, ["sidecar"], changes)
    sidecar = result["containerDefinitions"][1]
    assert sidecar["logConfiguration"] == {
        "logDriver": "awslogs",
        "options": {"awslogs-group": "/ecs/web"},
    }
    assert sidecar["environmentFiles"] == [{"value": "arn:aws:s3:::bucket/web.env", "type": "s3"}]
    assert (result["taskRoleArn"], result["executionRoleArn"]) == (
        "arn:aws:iam::1:role/task",
        "arn:aws:iam::1:role/exec",
    )


def test_unknown_containers_and_driverless_options_are_input_errors() -> None:
    with pytest.raises(InputError, match="no container named 'web'"):
        apply_changes(BASE, ["web"], TaskDefinitionChanges(environment=(("A", "1"),)))
    with pytest.raises(InputError, match="needs log-configuration-log-driver"):
        apply_changes(BASE, ["app"], TaskDefinitionChanges(log_options=(("k", "v"),)))
