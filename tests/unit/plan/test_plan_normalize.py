"""normalize_for_register: model-driven filtering, coercion and empty-value removal."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pytest

from ecs_deploy.aws.model import register_task_definition_shape
from ecs_deploy.errors import InputError
from ecs_deploy.plan.normalize import normalize_for_register

SHAPE = register_task_definition_shape()


def definition(**container: object) -> dict[str, object]:
    return {
        "family": "app",
        "containerDefinitions": [{"name": "app", "image": "app:1", **container}],
    }


def container_of(task_definition: Mapping[str, object]) -> dict[str, object]:
    containers = task_definition["containerDefinitions"]
    assert isinstance(containers, list)
    result: dict[str, object] = containers[0]
    return result


def test_keeps_a_clean_definition_unchanged() -> None:
    source = definition(portMappings=[{"containerPort": 80}])
    result = normalize_for_register(source, SHAPE)
    assert result.task_definition == source
    assert result.dropped == ()
    assert result.coerced == ()


def test_drops_read_only_top_level_members() -> None:
    source = {
        **definition(),
        "taskDefinitionArn": "arn:aws:ecs:us-east-1:1:task-definition/app:3",
        "revision": 3,
        "status": "ACTIVE",
        "requiresAttributes": [{"name": "ecs.capability.task-eni"}],
        "compatibilities": ["EC2", "FARGATE"],
        "registeredAt": "2025-01-01T00:00:00Z",
        "registeredBy": "arn:aws:iam::1:user/me",
        "deregisteredAt": "2025-01-02T00:00:00Z",
        "deleteRequestedAt": "2025-01-03T00:00:00Z",
    }
    result = normalize_for_register(source, SHAPE)
    assert result.task_definition == definition()
    assert result.dropped == (
        "taskDefinitionArn",
        "revision",
        "status",
        "requiresAttributes",
        "compatibilities",
        "registeredAt",
        "registeredBy",
        "deregisteredAt",
        "deleteRequestedAt",
    )


def test_reports_unknown_nested_keys_as_dotted_paths() -> None:
    source = definition(foo=1, portMappings=[{"containerPort": 80}, {"containerPort": 81, "x": 2}])
    result = normalize_for_register(source, SHAPE)
    assert result.dropped == (
        "containerDefinitions[0].foo",
        "containerDefinitions[0].portMappings[1].x",
    )
    assert "foo" not in container_of(result.task_definition)


def test_keeps_newer_fields_the_model_knows() -> None:
    source = {
        **definition(
            portMappings=[{"containerPort": 80, "name": "web", "appProtocol": "http2"}],
            restartPolicy={"enabled": True, "ignoredExitCodes": [0], "restartAttemptPeriod": 60},
            firelensConfiguration={
                "type": "fluentbit",
                "options": {"enable-ecs-log-metadata": "true"},
            },
            healthCheck={"command": ["CMD", "true"], "interval": 10},
            versionConsistency="disabled",
        ),
        "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
        "ephemeralStorage": {"sizeInGiB": 40},
        "enableFaultInjection": True,
        "volumes": [
            {
                "name": "data",
                "efsVolumeConfiguration": {
                    "fileSystemId": "fs-1",
                    "transitEncryption": "ENABLED",
                    "authorizationConfig": {"accessPointId": "fsap-1", "iam": "ENABLED"},
                },
            }
        ],
        "proxyConfiguration": {
            "type": "APPMESH",
            "containerName": "envoy",
            "properties": [{"name": "AppPorts", "value": "80"}],
        },
    }
    result = normalize_for_register(source, SHAPE)
    assert result.task_definition == source
    assert result.dropped == ()


def test_drops_none_values_everywhere() -> None:
    source = {
        **definition(user=None, portMappings=[None, {"containerPort": 80, "hostPort": None}]),
        "pidMode": None,
    }
    result = normalize_for_register(source, SHAPE)
    assert result.task_definition == definition(portMappings=[{"containerPort": 80}])


def test_removes_empty_values_recursively() -> None:
    source = {
        **definition(
            environment=[],
            mountPoints=[],
            dockerLabels={},
            user="",
            linuxParameters={"capabilities": {"add": [], "drop": []}},
            logConfiguration={"logDriver": "awslogs", "options": {}, "secretOptions": []},
        ),
        "taskRoleArn": "",
        "volumes": [],
    }
    result = normalize_for_register(source, SHAPE)
    assert result.task_definition == definition(logConfiguration={"logDriver": "awslogs"})


def test_keeps_environment_entries_with_an_empty_value() -> None:
    env = [{"name": "EMPTY", "value": ""}, {"name": "SET", "value": "1"}]
    result = normalize_for_register(definition(environment=env), SHAPE)
    assert container_of(result.task_definition)["environment"] == env


def test_keeps_empty_app_mesh_proxy_properties() -> None:
    properties = [{"name": "IgnoredGID", "value": ""}, {"name": "IgnoredUID", "value": "1337"}]
    source = {
        **definition(),
        "proxyConfiguration": {"type": "APPMESH", "containerName": "app", "properties": properties},
    }
    result = normalize_for_register(source, SHAPE)
    assert result.task_definition["proxyConfiguration"]["properties"] == properties


def test_keeps_empty_arguments_inside_a_command() -> None:
    command = ["redis-server", "--save", "", "--appendonly", "no"]
    result = normalize_for_register(definition(command=command, entryPoint=[""]), SHAPE)
    assert container_of(result.task_definition)["command"] == command
    assert "entryPoint" not in container_of(result.task_definition)


def test_blank_objects_and_lists_are_treated_as_absent() -> None:
    source = definition(healthCheck="", portMappings=["", {"containerPort": 80}], command="")
    result = normalize_for_register(source, SHAPE)
    assert result.task_definition == definition(portMappings=[{"containerPort": 80}])


def test_keep_empty_keeps_empty_values_but_drops_none() -> None:
    source = {**definition(mountPoints=[], user=""), "taskRoleArn": "", "pidMode": None}
    result = normalize_for_register(source, SHAPE, keep_empty=True)
    assert result.task_definition == {**definition(mountPoints=[], user=""), "taskRoleArn": ""}


def test_never_invents_volume_configurations() -> None:
    result = normalize_for_register(definition(), SHAPE)
    assert "volumeConfigurations" not in result.task_definition
    # and it is not a RegisterTaskDefinition member, so a pasted one is dropped, not sent
    dropped = normalize_for_register({**definition(), "volumeConfigurations": []}, SHAPE).dropped
    assert dropped == ("volumeConfigurations",)


@pytest.mark.parametrize(
    ("given", "expected", "path"),
    [
        (
            {"portMappings": [{"containerPort": "80"}]},
            {"portMappings": [{"containerPort": 80}]},
            "portMappings[0].containerPort",
        ),
        (
            {"portMappings": [{"containerPort": 80.0}]},
            {"portMappings": [{"containerPort": 80}]},
            "portMappings[0].containerPort",
        ),
        ({"memory": " 512 "}, {"memory": 512}, "memory"),
        ({"essential": "true"}, {"essential": True}, "essential"),
        ({"essential": "False"}, {"essential": False}, "essential"),
        (
            {"environment": [{"name": "N", "value": 4}]},
            {"environment": [{"name": "N", "value": "4"}]},
            "environment[0].value",
        ),
        (
            {"environment": [{"name": "B", "value": True}]},
            {"environment": [{"name": "B", "value": "true"}]},
            "environment[0].value",
        ),
        (
            {"environment": [{"name": "F", "value": 1.5}]},
            {"environment": [{"name": "F", "value": "1.5"}]},
            "environment[0].value",
        ),
        ({"dockerLabels": {"on": False}}, {"dockerLabels": {"on": "false"}}, "dockerLabels['on']"),
    ],
)
def test_coerces_container_scalars(
    given: dict[str, object], expected: dict[str, object], path: str
) -> None:
    result = normalize_for_register(definition(**given), SHAPE)
    # JSON text tells 80 from 80.0 and true from 1, which == does not.
    assert json.dumps(result.task_definition) == json.dumps(definition(**expected))
    assert result.coerced == (f"containerDefinitions[0].{path}",)


def test_coerces_task_level_cpu_and_memory_to_strings() -> None:
    result = normalize_for_register({**definition(), "cpu": 256, "memory": 512}, SHAPE)
    assert (result.task_definition["cpu"], result.task_definition["memory"]) == ("256", "512")
    assert result.coerced == ("cpu", "memory")


def test_coerces_map_keys_to_strings() -> None:
    result = normalize_for_register(definition(dockerLabels={1: "one"}), SHAPE)
    assert container_of(result.task_definition)["dockerLabels"] == {"1": "one"}


@pytest.mark.parametrize(
    ("container", "message"),
    [
        (
            {"portMappings": [{"containerPort": "abc"}]},
            "containerDefinitions[0].portMappings[0].containerPort: expected an integer, "
            "got a string",
        ),
        (
            {"memory": True},
            "containerDefinitions[0].memory: expected an integer, got the boolean true",
        ),
        (
            {"memory": 1.5},
            "containerDefinitions[0].memory: expected an integer, got a number with a fraction",
        ),
        ({"essential": "yes"}, "containerDefinitions[0].essential: expected true or false"),
        ({"essential": 1}, "containerDefinitions[0].essential: expected true or false"),
        ({"image": ["a"]}, "containerDefinitions[0].image: expected a string, got a list"),
        (
            {"command": "npm start"},
            "containerDefinitions[0].command: expected a list, got a string",
        ),
        (
            {"healthCheck": ["CMD"]},
            "containerDefinitions[0].healthCheck: expected an object, got a list",
        ),
        ({"dockerLabels": ["a=b"]}, "containerDefinitions[0].dockerLabels: expected an object"),
        (
            {"logConfiguration": {"options": {"a": "b"}}},
            "containerDefinitions[0].logConfiguration: missing required key 'logDriver'",
        ),
        (
            {"secrets": [{"name": "A"}]},
            "containerDefinitions[0].secrets[0]: missing required key 'valueFrom'",
        ),
    ],
)
def test_rejects_what_cannot_be_coerced(container: dict[str, object], message: str) -> None:
    with pytest.raises(InputError) as caught:
        normalize_for_register(definition(**container), SHAPE, source="taskdef.json")
    assert caught.value.message.startswith(message)
    assert str(caught.value.location) == "taskdef.json"


def test_rejects_a_definition_without_a_family() -> None:
    with pytest.raises(InputError, match=r"^task definition: missing required key 'family'$"):
        normalize_for_register({"containerDefinitions": [{"name": "a", "image": "a"}]}, SHAPE)


def test_does_not_mutate_its_input() -> None:
    source = definition(portMappings=[{"containerPort": "80"}], environment=[])
    before = repr(source)
    normalize_for_register(source, SHAPE)
    assert repr(source) == before


@dataclass(frozen=True)
class FakeShape:
    """A scalar-or-structure stand-in for botocore's Shape, for what the ECS model lacks."""

    type_name: str
    name: str = "Fake"
    members: Mapping[str, FakeShape] = field(default_factory=dict)
    required_members: Sequence[str] = ()

    @property
    def member(self) -> FakeShape:
        raise AttributeError("only list shapes have a member")

    @property
    def key(self) -> FakeShape:
        raise AttributeError("only map shapes have a key")

    @property
    def value(self) -> FakeShape:
        raise AttributeError("only map shapes have a value")


def test_coerces_doubles_through_a_fake_shape() -> None:
    shape = FakeShape("structure", members={"ratio": FakeShape("double"), "n": FakeShape("double")})
    result = normalize_for_register({"ratio": "0.5", "n": 2}, shape)
    assert result.task_definition == {"ratio": 0.5, "n": 2}
    assert result.coerced == ("ratio",)
    with pytest.raises(InputError, match=r"^ratio: expected a number, got a string$"):
        normalize_for_register({"ratio": "half"}, shape)


@pytest.mark.parametrize(
    "container",
    [{"environment": "DB_PASSWORD=hunter2"}, {"memory": "hunter2"}, {"memory": 918273.5}],
)
def test_a_wrong_value_is_described_never_echoed(container: dict[str, object]) -> None:
    with pytest.raises(InputError) as caught:
        normalize_for_register(definition(**container), SHAPE, source="taskdef.json")
    assert "hunter2" not in str(caught.value) and "918273" not in str(caught.value)
