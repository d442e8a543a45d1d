"""The same entrypoint in GitLab CI and CodeBuild: their variables, no GITHUB_* files.

Only the environment those platforms set is reproduced here (the job runs in the image with
the checkout as its working directory or under CI_PROJECT_DIR / CODEBUILD_SRC_DIR); the
platforms themselves do not run on this machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.action import REPO, ActionRun
from tests.e2e.conftest import images_of, service_of

GITLAB = {
    "GITLAB_CI": "true",
    "CI": "true",
    "CI_COMMIT_SHA": "0123456789abcdef0123456789abcdef01234567",
    "CI_JOB_ID": "42",
}
CODEBUILD = {
    "CODEBUILD_BUILD_ID": "deploy:0123",
    "CODEBUILD_RESOLVED_SOURCE_VERSION": "0123456789abcdef0123456789abcdef01234567",
    "AWS_DEFAULT_REGION": "us-east-1",
}
FAST = {"poll-interval": "0.2s", "timeout": "60s"}


def _run(endpoint: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("INPUT_", "AWS_", "GITHUB_", "CI_", "CODEBUILD_"))
    }
    base.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1",
            "INPUT_CONFIG": ".ecs-deploy.yml",
            "INPUT_SERVICE": "web",
            "INPUT_IMAGE_TAG": "v9",
            "INPUT_POLL_INTERVAL": "0.2s",
            "INPUT_TIMEOUT": "60s",
        }
    )
    base.update(env)
    return subprocess.run(
        [sys.executable, str(REPO / "entrypoint.py")],
        env=base,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("platform", "directory_variable"),
    [(GITLAB, "CI_PROJECT_DIR"), (CODEBUILD, "CODEBUILD_SRC_DIR")],
    ids=["gitlab", "codebuild"],
)
def test_deploys_with_the_platforms_variables(
    app: Any,
    workspace: Path,
    tmp_path_factory: pytest.TempPathFactory,
    platform: dict[str, str],
    directory_variable: str,
) -> None:
    elsewhere = tmp_path_factory.mktemp("cwd")  # relative paths follow the platform's variable
    before = {path.name for path in workspace.iterdir()}
    done = _run(app.endpoint_url, {**platform, directory_variable: str(workspace)}, elsewhere)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "succeeded" in done.stdout
    assert "::" not in done.stdout  # no GitHub workflow commands outside GitHub
    arn = service_of(app, "web")["taskDefinition"]
    assert images_of(app, arn)["app"] == "registry.example.com:5000/team/web:v9"
    written = {path.name for path in workspace.iterdir()} - before
    # GitLab: the dotenv report, by default; CodeBuild: no file unless exports-file names one.
    assert written == ({"ecs-deploy.env"} if platform is GITLAB else set())
    assert list(elsewhere.iterdir()) == []


def test_bad_input_exits_2_with_one_plain_line(app: Any, workspace: Path) -> None:
    done = _run(
        app.endpoint_url,
        {**GITLAB, "CI_PROJECT_DIR": str(workspace), "INPUT_TIMEOUT": "0s"},
        workspace,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "timeout: '0s' must be greater than zero" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert app.calls.mutating() == []


def _container(app: Any, name: str) -> dict[str, Any]:
    arn = service_of(app, "web")["taskDefinition"]
    described = app.client("ecs").describe_task_definition(taskDefinition=arn)
    definitions = described["taskDefinition"]["containerDefinitions"]
    return dict(next(c for c in definitions if c["name"] == name))


def test_codebuild_tags_with_the_commit_only_when_nothing_else_changes_the_containers(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    """A config-only deploy (environment-variables) in CodeBuild keeps the images: retagging
    them to the commit would deploy an image nobody asked for. Without such a change, the
    named container takes the commit (README, "Image tag" under CodeBuild)."""
    inputs = {"cluster": "demo", "service": "web", "container-name": "app", **FAST}
    before = _container(app, "app")["image"]
    config_only = action(
        {**inputs, "environment-variables": "LOG_LEVEL=debug"},
        github_actions=False,
        extra_env=CODEBUILD,
    )
    assert config_only.exit_code == 0, config_only.stdout + config_only.stderr
    app_container = _container(app, "app")
    assert app_container["image"] == before
    assert {"name": "LOG_LEVEL", "value": "debug"} in app_container["environment"]
    notes = [line for line in config_only.stdout.splitlines() if "default is not applied" in line]
    assert len(notes) == 1 and "environment-variables" in notes[0], config_only.stdout
    assert "(from CODEBUILD_RESOLVED_SOURCE_VERSION)" not in config_only.stdout

    retag = action(inputs, github_actions=False, extra_env=CODEBUILD)
    assert retag.exit_code == 0, retag.stdout + retag.stderr
    commit = CODEBUILD["CODEBUILD_RESOLVED_SOURCE_VERSION"]
    assert _container(app, "app")["image"] == f"{before.rsplit(':', 1)[0]}:{commit}"
    assert "default is not applied" not in retag.stdout
