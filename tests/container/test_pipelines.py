"""The CodeBuild and GitLab examples run in the built image, as those platforms run a job.

Both platforms run a job's commands with the image's shell, not its entrypoint (GitLab:
`entrypoint: [""]` in the example; CodeBuild runs the buildspec in the build environment
image), with the checkout mounted where each puts it and the variables each sets
(tests/e2e/pipelines.py). The application is examples/promotion/.ecs-deploy.yml on two
clusters of the emulator on 127.0.0.1, reached over the host network. The same jobs run without
the image in tests/e2e/test_pipelines.py.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.container.test_image import IMAGE, Engine, engine, image
from tests.e2e.conftest import images_of, service_of
from tests.e2e.pipelines import (
    COMMIT,
    REGION,
    codebuild_job,
    codebuild_variables,
    exported_values,
    gitlab_job,
    gitlab_variables,
    read_dotenv,
)
from tests.e2e.test_pipelines import seed_promotion

pytestmark = pytest.mark.container
__all__ = ["engine", "image"]  # the session's engine and image fixtures, from test_image

CODEBUILD_SRC = "/codebuild/output/src1234/src/github.com/org/app"  # CodeBuild's layout
GITLAB_PROJECT = "/builds/org/app"  # GitLab Runner's default builds_dir/<namespace>/<project>


def run_job(
    engine: Engine,
    image: str,
    checkout: Path,
    mounted_at: str,
    script: str,
    env: Mapping[str, str],
    user: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """The job's script in the image's shell, in the checkout mounted where the platform has it."""
    assert image == IMAGE  # Engine.run runs the session's image
    return engine.run(
        ["-c", script],
        env=env,
        volumes={checkout: mounted_at},
        user=user,
        entrypoint="sh",
        workdir=mounted_at,
    )


def supplied_by_test(emulator: Any) -> dict[str, str]:
    """What a test supplies and the platforms cannot: credentials, the emulator, a quick poll."""
    return {
        "AWS_ENDPOINT_URL": emulator.endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "AWS_WEB_IDENTITY_TOKEN_FILE": "/tmp/web-identity-token",
        "INPUT_POLL_INTERVAL": "0.2s",
    }


@pytest.fixture
def checkout(ecs_emulator: Any, tmp_path: Path) -> Path:
    workspace, seeds = tmp_path / "checkout", tmp_path / "seeds"
    workspace.mkdir()
    seeds.mkdir()
    seed_promotion(ecs_emulator, workspace, seeds)
    return workspace


def test_the_codebuild_example_in_the_image(
    engine: Engine, image: str, checkout: Path, ecs_emulator: Any
) -> None:
    job = codebuild_job()
    env = {
        **codebuild_variables(CODEBUILD_SRC),
        **job.variables,
        "INPUT_ENVIRONMENT": "prod",  # the CodeBuild action's variable in the prod stage
        **supplied_by_test(ecs_emulator),
    }
    # CodeBuild runs the buildspec's commands as root unless the buildspec says `run-as`
    # (Build specification reference for CodeBuild, "run-as"), whatever the image's USER.
    done = run_job(engine, image, checkout, CODEBUILD_SRC, job.script, env, user="0:0")
    assert done.returncode == 0, done.stdout + done.stderr
    exported = exported_values(done.stdout)
    assert exported["ECS_DEPLOY_OUTCOME"] == "succeeded", done.stdout + done.stderr
    web = service_of(ecs_emulator, "web", "app-prod")
    assert exported["ECS_DEPLOY_TASK_DEFINITION_ARN"] == web["taskDefinition"]
    assert {s["cluster"] for s in json.loads(exported["ECS_DEPLOY_SERVICES"])} == {"app-prod"}
    assert images_of(ecs_emulator, web["taskDefinition"])["app"].endswith(f":{COMMIT}")
    assert web["desiredCount"] == 3


def test_the_gitlab_example_in_the_image(
    engine: Engine, image: str, checkout: Path, ecs_emulator: Any
) -> None:
    predefined = gitlab_variables(GITLAB_PROJECT, "deploy-test", "test")
    job = gitlab_job("deploy-test", predefined)
    env = {**predefined, **job.variables, **supplied_by_test(ecs_emulator)}
    # GitLab's Docker executor runs the job as the image's USER (65532 here) in a checkout its
    # helper made as root with umask 0000, so the job may write there (gitlab-runner#1736;
    # with FF_DISABLE_UMASK_FOR_DOCKER_EXECUTOR it chowns the checkout to that user instead).
    for path in (checkout, *checkout.rglob("*")):
        path.chmod(0o777 if path.is_dir() else 0o666)
    done = run_job(engine, image, checkout, GITLAB_PROJECT, job.script, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert job.dotenv is not None
    report = read_dotenv((checkout / job.dotenv).read_text())
    assert report["ECS_DEPLOY_OUTCOME"] == "succeeded"
    web = service_of(ecs_emulator, "web", "app-test")
    assert report["ECS_DEPLOY_TASK_DEFINITION_ARN"] == web["taskDefinition"]
    assert images_of(ecs_emulator, web["taskDefinition"])["app"].endswith(f":{COMMIT}")
