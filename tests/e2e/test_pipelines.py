"""The CodeBuild and GitLab examples, run as their platforms run them, against the emulator.

examples/codebuild/buildspec.yml and examples/gitlab/.gitlab-ci.yml are read and their commands
run in a POSIX shell with the variables each platform sets (tests/e2e/pipelines.py says which
and from where), with entrypoint.py from this checkout in place of the image's. The same jobs
run in the built image in tests/container/test_pipelines.py. The application deployed is
examples/promotion/.ecs-deploy.yml, on two clusters (app-test, app-prod).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ecs_deploy.emulator import Fault
from tests.e2e.conftest import images_of, service_of
from tests.e2e.pipelines import (
    COMMIT,
    PROMOTION_APP,
    REGION,
    REPO,
    codebuild_job,
    codebuild_variables,
    exported_values,
    gitlab_job,
    gitlab_variables,
    read_dotenv,
    with_exports,
)

CLUSTERS = ("app-test", "app-prod")
PLATFORM_PREFIXES = ("INPUT_", "AWS_", "GITHUB_", "CI_", "CODEBUILD_", "GITLAB_")


@dataclass(frozen=True)
class Promotion:
    emulator: Any
    workspace: Path
    tools: Path  # a `python` on PATH: the one running the tests

    def env(self, *layers: Mapping[str, str]) -> dict[str, str]:
        """This machine's environment without any platform's variables, then `layers`, then
        what only a test supplies: dummy credentials, the emulator's endpoint and region, a
        short poll interval."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(PLATFORM_PREFIXES)}
        for layer in layers:
            env.update(layer)
        env.update(
            {
                "AWS_ENDPOINT_URL": self.emulator.endpoint_url,
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_REGION": REGION,
                "AWS_WEB_IDENTITY_TOKEN_FILE": str(self.workspace.parent / "web-identity-token"),
                "INPUT_POLL_INTERVAL": "0.2s",
                "PATH": f"{self.tools}{os.pathsep}{env.get('PATH', '')}",
            }
        )
        return env

    def run(self, script: str, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["sh", "-c", script],
            env=dict(env),
            cwd=self.workspace,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )


def seed_promotion(emulator: Any, workspace: Path, seeds: Path) -> None:
    """The example application in the workspace, and its services in both clusters."""
    shutil.copy(PROMOTION_APP, workspace / ".ecs-deploy.yml")
    for cluster in CLUSTERS:
        seed = seeds / f"{cluster}.yml"
        seed.write_text(f"cluster: {cluster}\n" + PROMOTION_APP.read_text())
        emulator.seed(seed)
    emulator.calls.clear()


@pytest.fixture
def promotion(ecs_emulator: Any, tmp_path: Path) -> Promotion:
    workspace, seeds, tools = tmp_path / "checkout", tmp_path / "seeds", tmp_path / "bin"
    for folder in (workspace, seeds, tools):
        folder.mkdir()
    seed_promotion(ecs_emulator, workspace, seeds)
    python = tools / "python"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    return Promotion(ecs_emulator, workspace, tools)


ENTRYPOINT = f"python {REPO / 'entrypoint.py'}"  # the checkout's, in place of the image's


def web_container(emulator: Any, cluster: str) -> dict[str, Any]:
    arn = service_of(emulator, "web", cluster)["taskDefinition"]
    described = emulator.client("ecs").describe_task_definition(taskDefinition=arn)
    containers = described["taskDefinition"]["containerDefinitions"]
    return dict(next(c for c in containers if c["name"] == "app"))


def test_the_codebuild_example_deploys_and_exports_the_outputs(promotion: Promotion) -> None:
    job = codebuild_job(ENTRYPOINT)
    # CodePipeline's CodeBuild action sets INPUT_ENVIRONMENT per stage; it takes precedence
    # over the buildspec's variables, as start-build overrides do.
    env = promotion.env(
        codebuild_variables(str(promotion.workspace)), job.variables, {"INPUT_ENVIRONMENT": "test"}
    )
    done = promotion.run(job.script, env)
    assert done.returncode == 0, done.stdout + done.stderr
    exported = exported_values(done.stdout)
    assert set(exported) == set(job.exported)
    assert exported["ECS_DEPLOY_OUTCOME"] == "succeeded"
    web = service_of(promotion.emulator, "web", "app-test")
    assert exported["ECS_DEPLOY_TASK_DEFINITION_ARN"] == web["taskDefinition"]
    services = json.loads(exported["ECS_DEPLOY_SERVICES"])
    assert {(s["name"], s["cluster"], s["outcome"]) for s in services} == {
        ("web", "app-test", "succeeded"),
        ("worker", "app-test", "succeeded"),
    }
    # The image tag defaulted to the commit CodeBuild built.
    images = images_of(promotion.emulator, web["taskDefinition"])
    assert images["app"].endswith(f":{COMMIT}")
    assert f"image-tag: {COMMIT} (from CODEBUILD_RESOLVED_SOURCE_VERSION)" in done.stdout
    assert "::" not in done.stdout  # no GitHub workflow commands outside GitHub


def test_a_failed_codebuild_deploy_still_exports_its_outcome(promotion: Promotion) -> None:
    job = codebuild_job(ENTRYPOINT)
    env = promotion.env(
        codebuild_variables(str(promotion.workspace)),
        job.variables,
        {"INPUT_ENVIRONMENT": "staging"},
    )
    done = promotion.run(job.script, env)
    assert done.returncode == 2, done.stdout + done.stderr
    assert (
        "error: .ecs-deploy.yml:10:1: environment 'staging' is not in .ecs-deploy.yml; "
        "it has prod, test"
    ) in done.stderr
    assert exported_values(done.stdout)["ECS_DEPLOY_OUTCOME"] == "invalid"
    assert promotion.emulator.calls.mutating() == []


def test_the_gitlab_example_promotes_test_then_prod_with_dotenv_reports(
    promotion: Promotion,
) -> None:
    project = str(promotion.workspace)
    for job_name, environment, cluster in (
        ("deploy-test", "test", "app-test"),
        ("deploy-prod", "production", "app-prod"),
    ):
        predefined = gitlab_variables(project, job_name, environment)
        job = gitlab_job(job_name, predefined, ENTRYPOINT)
        assert job.extra["artifacts"]["when"] == "always"  # the report of a failure too
        done = promotion.run(job.script, promotion.env(predefined, job.variables))
        assert done.returncode == 0, done.stdout + done.stderr
        assert job.dotenv is not None
        report = read_dotenv((promotion.workspace / job.dotenv).read_text())
        assert report["ECS_DEPLOY_OUTCOME"] == "succeeded"
        web = service_of(promotion.emulator, "web", cluster)
        assert report["ECS_DEPLOY_TASK_DEFINITION_ARN"] == web["taskDefinition"]
        assert {s["cluster"] for s in json.loads(report["ECS_DEPLOY_SERVICES"])} == {cluster}
        assert images_of(promotion.emulator, web["taskDefinition"])["app"].endswith(f":{COMMIT}")

        if job_name == "deploy-test":
            # A later job gets the report's variables (the example's `deployed` job).
            later = gitlab_job("deployed", gitlab_variables(project, "deployed", None))
            assert later.extra["needs"] == ["deploy-test"]
            shown = promotion.run(with_exports(later.script, report), promotion.env())
            assert shown.stdout.strip() == f"test is succeeded on {web['taskDefinition']}"

    test_web = web_container(promotion.emulator, "app-test")
    prod_web = web_container(promotion.emulator, "app-prod")
    assert {"name": "LOG_LEVEL", "value": "debug"} in test_web["environment"]
    assert {"name": "LOG_LEVEL", "value": "info"} in prod_web["environment"]
    assert service_of(promotion.emulator, "web", "app-test")["desiredCount"] == 1
    assert service_of(promotion.emulator, "web", "app-prod")["desiredCount"] == 3
    assert service_of(promotion.emulator, "worker", "app-prod")["desiredCount"] == 2


def test_a_failed_gitlab_deploy_leaves_its_outcome_and_reason_to_later_jobs(
    promotion: Promotion,
) -> None:
    # The commit's image crash-loops: ECS's circuit breaker rolls the deployment back.
    promotion.emulator.faults.set_for_image(
        f"public.ecr.aws/docker/library/nginx:{COMMIT}", Fault.CRASH
    )
    project = str(promotion.workspace)
    predefined = gitlab_variables(project, "deploy-test", "test")
    job = gitlab_job("deploy-test", predefined, ENTRYPOINT)
    done = promotion.run(job.script, promotion.env(predefined, job.variables))
    assert done.returncode == 1, done.stdout + done.stderr
    assert job.dotenv is not None
    report = read_dotenv((promotion.workspace / job.dotenv).read_text())
    assert report["ECS_DEPLOY_OUTCOME"] == "rolled_back"
    web = next(s for s in json.loads(report["ECS_DEPLOY_SERVICES"]) if s["name"] == "web")
    assert web["outcome"] == "rolled_back" and "circuit breaker" in web["reason"]
    later = gitlab_job("deployed", gitlab_variables(project, "deployed", None))
    shown = promotion.run(with_exports(later.script, report), promotion.env())
    assert shown.stdout.startswith("test is rolled_back on arn:aws:ecs:")
