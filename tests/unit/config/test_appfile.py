from pathlib import Path

import pytest

from ecs_deploy.config.appfile import load_app_file
from ecs_deploy.config.settings import ContainerSpec
from ecs_deploy.errors import InputError

ECS_TOOLKIT_FILE = """\
---
version: v1
cluster: example
tasks:
  pre:
    - family: app-asset-sync
      count: 1
      containers:
        - rails
      launch_type: fargate
      network_configuration:
        vpc_configuration:
          assign_public_ip: true
          security_groups:
            - sg-0123456789abcdef0
          subnets:
            - subnet-0123456789abcdef0
    - family: app-database-migrate
      count: 1
      containers:
        - rails
      launch_type: ec2
  post: []
services:
  - name: app-web-server
    containers:
      - rails
  - name: app-worker
    force: true
    max_wait: 20
    containers:
      - resque
"""


def write(tmp_path: Path, text: str, name: str = ".ecs-deploy.yml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_accepts_an_ecs_toolkit_file_unchanged(tmp_path: Path) -> None:
    app = load_app_file(write(tmp_path, ECS_TOOLKIT_FILE, ".ecs-toolkit.yml"))
    assert app.cluster == "example"
    assert [s.name for s in app.services] == ["app-web-server", "app-worker"]
    worker = app.services[1]
    assert worker.force_new_deployment is True
    assert worker.max_wait_seconds == 20 * 60
    assert worker.containers == (ContainerSpec("resque"),)
    migrate = app.pre_tasks[1]
    assert (migrate.family, migrate.count, migrate.launch_type) == (
        "app-database-migrate",
        1,
        "EC2",
    )
    sync = app.pre_tasks[0]
    assert sync.vpc_configuration is not None
    assert sync.vpc_configuration.subnets == ("subnet-0123456789abcdef0",)
    assert sync.vpc_configuration.assign_public_ip is True
    assert app.post_tasks == ()


def test_task_definition_files_resolve_next_to_the_app_file(tmp_path: Path) -> None:
    text = "version: v1\nservices:\n  - name: web\n    task_definition: deploy/web.json\n"
    app = load_app_file(write(tmp_path, text))
    assert app.services[0].source.file == tmp_path / "deploy" / "web.json"
    text = "version: v1\nservices:\n  - name: web\n    task_definition: web:12\n"
    assert load_app_file(write(tmp_path, text)).services[0].source.reference == "web:12"


def test_container_with_its_own_image(tmp_path: Path) -> None:
    text = (
        "version: v1\nservices:\n  - name: web\n"
        "    containers:\n      - name: app\n        image: r/app:2\n"
    )
    app = load_app_file(write(tmp_path, text))
    assert app.services[0].containers == (ContainerSpec("app", "r/app:2"),)


def error_for(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        load_app_file(path)
    return str(caught.value)


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    message = error_for(tmp_path, "version: v1\nservices:\n  - name: web\n   bad: [unclosed\n")
    assert message.startswith(f"{tmp_path / '.ecs-deploy.yml'}:4:")
    assert "not valid YAML" in message


def test_unknown_key_names_the_key_and_its_line(tmp_path: Path) -> None:
    text = "version: v1\nservices:\n  - name: web\n    containres: [app]\n"
    message = error_for(tmp_path, text)
    assert message.startswith(
        f"{tmp_path / '.ecs-deploy.yml'}:4:5: unknown key 'containres' in services[0]"
    )


def test_missing_services(tmp_path: Path) -> None:
    message = error_for(tmp_path, "version: v1\ncluster: demo\n")
    assert "missing required key 'services'" in message
    assert ":1:1:" in message


def test_wrong_type_points_at_the_value(tmp_path: Path) -> None:
    text = "version: v1\nservices:\n  - name: web\n    max_wait: soon\n"
    message = error_for(tmp_path, text)
    assert ":4:15: services[0].max_wait:" in message


def test_task_count_out_of_range(tmp_path: Path) -> None:
    text = (
        "version: v1\nservices: [{name: web}]\ntasks:\n  pre:\n    - family: m\n      count: 11\n"
    )
    assert "tasks.pre[0].count" in error_for(tmp_path, text)


def test_launch_type_and_capacity_providers_together(tmp_path: Path) -> None:
    text = (
        "version: v1\nservices: [{name: web}]\ntasks:\n  pre:\n    - family: m\n"
        "      launch_type: fargate\n"
        "      capacity_provider_strategies: [{capacity_provider: FARGATE}]\n"
    )
    assert "not both" in error_for(tmp_path, text)


def test_not_a_mapping(tmp_path: Path) -> None:
    assert "must be a mapping" in error_for(tmp_path, "- just\n- a list\n")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="application file not found"):
        load_app_file(tmp_path / "absent.yml")


@pytest.mark.parametrize(
    ("entry", "where"),
    [
        ("environment:\n        DB_URL: {password: hunter2}\n", "tasks.pre[0].environment.DB_URL"),
        ("command: [migrate, {password: hunter2}]\n", "tasks.pre[0].command[1]"),
        ("started_by: [hunter2]\n", "tasks.pre[0].started_by"),
        ("count: [hunter2]\n", "tasks.pre[0].count"),
        ("launch_type: hunter2\n", "tasks.pre[0].launch_type"),
        ("depends_on: ['']\n", "tasks.pre[0].depends_on[0]"),
    ],
)
def test_schema_errors_never_echo_a_value(tmp_path: Path, entry: str, where: str) -> None:
    text = "version: v1\nservices: [{name: web}]\ntasks:\n  pre:\n    - family: m\n      " + entry
    message = error_for(tmp_path, text)
    assert "hunter2" not in message
    assert f": {where}: " in message


@pytest.mark.parametrize("value", ["true", "1.10", "8080", "null"])
def test_task_environment_values_must_be_quoted_strings(tmp_path: Path, value: str) -> None:
    text = (
        "version: v1\nservices: [{name: web}]\ntasks:\n  pre:\n    - family: m\n"
        f"      environment:\n        VALUE: {value}\n"
    )
    message = error_for(tmp_path, text)
    assert "tasks.pre[0].environment.VALUE: environment values must be strings" in message
    assert "quote the value" in message
    quoted = text.replace(f"VALUE: {value}", f"VALUE: '{value}'")
    [task] = load_app_file(write(tmp_path, quoted)).pre_tasks
    assert task.environment == (("VALUE", value),)


def test_services_given_as_arns_are_their_names(tmp_path: Path) -> None:
    arn = "arn:aws:ecs:us-east-1:123456789012:service/demo/web"
    text = (
        f"version: v1\nservices:\n  - name: {arn}\n"
        f"tasks:\n  pre:\n    - family: m\n      network_from_service: {arn}\n"
    )
    app = load_app_file(write(tmp_path, text))
    assert app.services[0].name == "web"
    assert app.pre_tasks[0].network_from_service == "web"
