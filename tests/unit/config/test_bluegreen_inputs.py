"""Blue/green inputs: the official action's defaults, mode, wait-until, continue."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecs_deploy.config.bluegreen import Mode, parse_wait_until
from ecs_deploy.config.continuing import build_continue_settings
from ecs_deploy.config.inputs import build_settings
from ecs_deploy.errors import InputError

ENV = {"GITHUB_WORKSPACE": "/ws"}


def test_codedeploy_inputs_reach_the_service() -> None:
    settings = build_settings(
        {
            "service": "web",
            "mode": "CodeDeploy",
            "codedeploy-appspec": "deploy/appspec.json",
            "codedeploy-application": "App",
            "codedeploy-container-port": "8080",
            "wait-until": "ready",
        },
        ENV,
    )
    (service,) = settings.services
    assert service.mode is Mode.CODEDEPLOY
    assert service.codedeploy.appspec == Path("/ws/deploy/appspec.json")
    assert service.codedeploy.appspec_required
    assert service.codedeploy.application == "App"
    assert service.codedeploy.deployment_group is None  # DgpECS-{cluster}-{service} at plan time
    assert service.codedeploy.container_port == 8080
    assert settings.wait_until == "READY"


def test_the_default_appspec_may_be_absent() -> None:
    (service,) = build_settings({"service": "web"}, ENV).services
    assert service.codedeploy.appspec == Path("/ws/appspec.yaml")
    assert not service.codedeploy.appspec_required


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"mode": "blue"}, "mode"),
        ({"wait-until": "SOMETIME"}, "wait-until"),
        ({"codedeploy-deployment-description": "x" * 513}, "at most 512"),
        ({"codedeploy-container-port": "http"}, "codedeploy-container-port"),
    ],
)
def test_bad_blue_green_inputs(raw: dict[str, str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        build_settings({"service": "web", **raw}, ENV)


def test_wait_until_takes_a_stage_in_any_case() -> None:
    assert parse_wait_until("post-test-traffic-shift") == "POST_TEST_TRAFFIC_SHIFT"
    assert parse_wait_until(None) is None


def test_app_file_service_settings_win_over_inputs(tmp_path: Path) -> None:
    (tmp_path / "app.yml").write_text(
        "version: v1\nservices:\n"
        "  - name: api\n    mode: codedeploy\n"
        "    codedeploy: {deployment_group: Dg-api, appspec: cd/api.yaml, container_port: 80}\n"
        "  - name: web\n"
    )
    settings = build_settings(
        {"config": "app.yml", "codedeploy-application": "Shared", "mode": "rolling"},
        {"GITHUB_WORKSPACE": str(tmp_path)},
    )
    api, web = settings.services
    assert (api.mode, web.mode) == (Mode.CODEDEPLOY, Mode.ECS)  # `rolling`: the old name
    assert api.codedeploy.deployment_group == "Dg-api"
    assert api.codedeploy.application == "Shared"
    assert api.codedeploy.appspec == tmp_path / "cd/api.yaml"
    assert api.codedeploy.container_port == 80


def test_continue_settings() -> None:
    settings = build_continue_settings(
        {"continue-deployment": "d-123", "continue-action": "rollback", "timeout": "10m"}, {}
    )
    assert settings.target.deployment == "d-123"
    assert settings.target.action.value == "ROLLBACK"
    assert settings.timeout_seconds == 600
    with pytest.raises(InputError, match="cannot be combined with service"):
        build_continue_settings({"continue-deployment": "d-1", "service": "web"}, {})
    with pytest.raises(InputError, match="CONTINUE or ROLLBACK"):
        build_continue_settings({"continue-deployment": "d-1", "continue-action": "maybe"}, {})
