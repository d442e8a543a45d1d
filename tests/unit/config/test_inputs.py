import argparse
from pathlib import Path

import pytest

from ecs_deploy.config.inputs import (
    add_cli_arguments,
    build_settings,
    read_action_inputs,
    read_cli_inputs,
)
from ecs_deploy.config.settings import ContainerSpec
from ecs_deploy.errors import InputError


def test_action_inputs_accept_github_and_shell_forms() -> None:
    env = {
        "INPUT_TASK-DEFINITION": "td.json",
        "INPUT_CONTAINER_NAME": "app",
        "INPUT_IMAGE": "r/app:2",
        "INPUT_SERVICE": "",  # GitHub sets declared inputs without a default to ""
        "INPUT_UNRELATED": "x",
    }
    assert read_action_inputs(env) == {
        "task-definition": "td.json",
        "container-name": "app",
        "image": "r/app:2",
    }


def test_cli_and_action_readers_give_the_same_settings(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    add_cli_arguments(parser)
    cli = read_cli_inputs(
        parser.parse_args(
            [
                "--service",
                "web",
                "--task-definition",
                "td.json",
                "--container-name",
                "app,sidecar ",
                "--image",
                "r/app:2",
                "--timeout",
                "90s",
                "--dry-run",
            ]
        )
    )
    action = read_action_inputs(
        {
            "INPUT_SERVICE": "web",
            "INPUT_TASK-DEFINITION": "td.json",
            "INPUT_CONTAINER-NAME": "app,sidecar ",
            "INPUT_IMAGE": "r/app:2",
            "INPUT_TIMEOUT": "90s",
            "INPUT_DRY-RUN": "true",
        }
    )
    env = {"GITHUB_WORKSPACE": str(tmp_path)}
    assert build_settings(cli, env) == build_settings(action, env)
    settings = build_settings(cli, env)
    assert settings.dry_run is True
    assert settings.timeout_seconds == 90
    assert settings.cluster == "default"
    service = settings.services[0]
    assert service.containers == (
        ContainerSpec("app", "r/app:2"),
        ContainerSpec("sidecar", "r/app:2"),
    )
    assert service.source.file == tmp_path / "td.json"  # relative paths resolve in the workspace


def test_wait_for_minutes_is_the_timeout_unless_timeout_is_given(tmp_path: Path) -> None:
    env = {"GITHUB_WORKSPACE": str(tmp_path)}
    assert (
        build_settings({"service": "web", "force-new-deployment": "true"}, env).timeout_seconds
        == 1800
    )
    raw = {"service": "web", "force-new-deployment": "true", "wait-for-minutes": "5"}
    assert build_settings(raw, env).timeout_seconds == 300
    assert build_settings({**raw, "timeout": "1h"}, env).timeout_seconds == 3600


def test_task_definition_reference_is_not_a_file(tmp_path: Path) -> None:
    env = {"GITHUB_WORKSPACE": str(tmp_path)}
    settings = build_settings({"service": "web", "task-definition": "web:7"}, env)
    assert settings.services[0].source.reference == "web:7"
    arn = "arn:aws:ecs:us-east-1:1:task-definition/web:7"
    assert build_settings({"task-definition": arn}, env).register_only.source.reference == arn  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"service": "web", "wait-for-minutes": "abc"}, "wait-for-minutes: 'abc' is not a number"),
        ({"service": "web", "desired-count": "-1"}, "desired-count: '-1' must be zero or more"),
        ({"service": "web", "timeout": "soon"}, "timeout: 'soon' is not a duration"),
        (
            {"service": "web", "poll-interval": "0s"},
            "poll-interval: '0s' must be greater than zero",
        ),
        ({"service": "web", "dry-run": "maybe"}, "dry-run: 'maybe' is not a boolean"),
        (
            {"service": "web", "container-name": "app", "image": "UPPER CASE:tag"},
            "invalid image reference",
        ),
        ({"service": "web", "image": "r/app:2"}, "image needs container-name"),
        (
            {"service": "web", "container-name": "app"},
            "container-name needs image, image-tag or a change to the containers",
        ),
        ({"service": "web", "image-tag": "bad tag"}, "invalid image tag 'bad tag'"),
        ({"service": "a,b"}, "service takes one name without config"),
        ({}, "nothing to deploy"),
    ],
)
def test_bad_inputs_are_one_clear_line(tmp_path: Path, raw: dict[str, str], message: str) -> None:
    with pytest.raises(InputError) as caught:
        build_settings(raw, {"GITHUB_WORKSPACE": str(tmp_path)})
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_config_selects_services_and_rejects_single_service_inputs(tmp_path: Path) -> None:
    app = tmp_path / ".ecs-deploy.yml"
    app.write_text("version: v1\ncluster: demo\nservices:\n  - name: web\n  - name: worker\n")
    env = {"GITHUB_WORKSPACE": str(tmp_path)}
    settings = build_settings({"config": ".ecs-deploy.yml", "service": "worker"}, env)
    assert settings.cluster == "demo"
    assert [s.name for s in settings.services] == ["worker"]
    # With nothing named, the workspace's application file is used.
    assert len(build_settings({"image-tag": "v2"}, env).services) == 2
    with pytest.raises(InputError, match=r"service 'api' is not in \.ecs-deploy\.yml"):
        build_settings({"config": ".ecs-deploy.yml", "service": "api"}, env)
    with pytest.raises(InputError, match="task-definition cannot be combined with config"):
        build_settings({"config": ".ecs-deploy.yml", "task-definition": "td.json"}, env)


def test_github_files_and_region_come_from_the_environment(tmp_path: Path) -> None:
    env = {
        "GITHUB_WORKSPACE": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "out"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
        "GITHUB_ACTIONS": "true",
        "AWS_REGION": "eu-west-1",
    }
    settings = build_settings({"service": "web", "force-new-deployment": "true"}, env)
    assert settings.github.output == tmp_path / "out"
    assert settings.github.in_actions is True
    assert settings.region == "eu-west-1"


RUN_TASK = {"service": "web", "force-new-deployment": "true", "run-task": "true"}


@pytest.mark.parametrize(
    ("strategy", "message"),
    [
        ('[{"capacityProvider": "FARGATE", "base": "one"}]', "strategy[0].base: must be a whole"),
        ('[{"capacityProvider": "FARGATE", "base": null}]', "strategy[0].base: must be a whole"),
        ('[{"capacityProvider": "FARGATE", "weight": true}]', "strategy[0].weight: must be"),
        ('[{"capacityProvider": "FARGATE", "weight": 1001}]', "strategy[0].weight: 1001 must be"),
        ('[{"capacityProvider": "A"}, {"base": 1}]', "strategy[1].capacityProvider: must be"),
        ('[{"capacityProvider": "A", "wieght": 1}]', "strategy[0]: unknown key 'wieght'"),
    ],
)
def test_capacity_provider_items_are_checked(tmp_path: Path, strategy: str, message: str) -> None:
    raw = {**RUN_TASK, "run-task-capacity-provider-strategy": strategy}
    with pytest.raises(InputError) as caught:
        build_settings(raw, {"GITHUB_WORKSPACE": str(tmp_path)})
    assert f"run-task-capacity-provider-{message}" in str(caught.value)


def test_a_valid_capacity_provider_strategy(tmp_path: Path) -> None:
    strategy = '[{"capacityProvider": "FARGATE_SPOT", "base": 1, "weight": 3}]'
    raw = {**RUN_TASK, "run-task-capacity-provider-strategy": strategy}
    [task] = build_settings(raw, {"GITHUB_WORKSPACE": str(tmp_path)}).pre_tasks
    [item] = task.capacity_provider_strategy
    assert (item.capacity_provider, item.base, item.weight) == ("FARGATE_SPOT", 1, 3)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"wait-for-minutes": "nan"}, "wait-for-minutes: 'nan' is not a finite number"),
        ({"wait-for-minutes": "inf"}, "wait-for-minutes: 'inf' is not a finite number"),
        ({"wait-for-minutes": "1e308"}, "wait-for-minutes: '1e308' is too large; at most 1440"),
        ({"timeout": "9" * 400}, "is not a finite duration"),
        ({"poll-interval": "50ms"}, "poll-interval: '50ms' is too short"),
    ],
)
def test_numbers_must_be_finite_and_polls_not_too_fast(
    tmp_path: Path, raw: dict[str, str], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        build_settings({"service": "web", **raw}, {"GITHUB_WORKSPACE": str(tmp_path)})


def test_a_fast_poll_for_tests_is_still_valid(tmp_path: Path) -> None:
    raw = {"service": "web", "force-new-deployment": "true", "poll-interval": "0.2s"}
    assert build_settings(raw, {"GITHUB_WORKSPACE": str(tmp_path)}).poll_interval_seconds == 0.2


def test_a_service_given_as_its_arn_is_its_name(tmp_path: Path) -> None:
    env = {"GITHUB_WORKSPACE": str(tmp_path)}
    arn = "arn:aws:ecs:us-east-1:123456789012:service/demo/web"
    settings = build_settings({"service": arn, "force-new-deployment": "true"}, env)
    assert settings.services[0].name == "web"
    (tmp_path / ".ecs-deploy.yml").write_text("version: v1\nservices: [{name: web}, {name: api}]\n")
    settings = build_settings({"config": ".ecs-deploy.yml", "service": arn}, env)
    assert [s.name for s in settings.services] == ["web"]
