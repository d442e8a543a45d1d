"""The README's migration, GitLab CI and CodeBuild snippets say what the code does."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

from ecs_deploy.config.declared_inputs import BY_NAME
from ecs_deploy.config.readers import read_action_inputs
from ecs_deploy.report.failure import failure_outputs
from ecs_deploy.report.record import RunRecord
from ecs_deploy.report.variable_files import variable_name

REPO = Path(__file__).resolve().parents[3]
README = (REPO / "README.md").read_text()


def _blocks(heading: str, until: str) -> list[str]:
    section = README[README.index(heading) : README.index(until, README.index(heading))]
    return re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)


def test_migration_changes_only_the_uses_line() -> None:
    before, after = _blocks("### Migrating from the render and deploy actions", "## Elsewhere")
    changed = [
        (old, new)
        for old, new in zip(before.splitlines(), after.splitlines(), strict=True)
        if old != new
    ]
    assert changed == [
        (
            "      - uses: aws-actions/amazon-ecs-deploy-task-definition@v2",
            "      - uses: org/ecs-deploy@v1",
        )
    ]
    steps: list[dict[str, Any]] = yaml.safe_load(after)
    assert set(steps[1]["with"]) <= set(BY_NAME)


def _inputs_of(variables: dict[str, Any]) -> dict[str, str]:
    named = {key: str(value) for key, value in variables.items() if key.startswith("INPUT_")}
    read = read_action_inputs(named)
    assert len(read) == len(named), f"unknown INPUT_ variables in {sorted(named)}"
    return read


def test_gitlab_job_runs_the_images_entrypoint_with_known_inputs() -> None:
    (block,) = _blocks("**GitLab CI**", "**AWS CodeBuild**")
    job = yaml.safe_load(block)["deploy"]
    assert job["image"]["entrypoint"] == [""]
    assert "ecs-deploy-action" in job["script"]
    assert _inputs_of(job["variables"]) == {
        "config": ".ecs-deploy.yml",
        "image-tag": "$CI_COMMIT_SHA",
        "timeout": "15m",
    }
    assert _the_images_command() == "ecs-deploy-action"


def test_codebuild_buildspec_runs_the_images_entrypoint_with_known_inputs() -> None:
    (block,) = _blocks("**AWS CodeBuild**", "**CodePipeline's image files**")
    spec = yaml.safe_load(block)
    assert spec["version"] == 0.2
    (command,) = spec["phases"]["build"]["commands"]
    assert command == "ecs-deploy-action"  # the tag defaults to the commit built
    assert _the_images_command() == "ecs-deploy-action"
    inputs = _inputs_of(spec["env"]["variables"])
    assert inputs == {
        "config": ".ecs-deploy.yml",
        "exports-file": "ecs-deploy.exports",
        "timeout": "15m",
    }
    # The finally block sources the file the outputs go to, and exports names it writes.
    (source,) = spec["phases"]["build"]["finally"]
    assert source.split("#")[0].split() == [".", f"./{inputs['exports-file']}"]
    written = {variable_name(name) for name in failure_outputs("invalid", RunRecord())}
    assert set(spec["env"]["exported-variables"]) <= written


def test_codepipeline_image_files_buildspec_has_known_inputs() -> None:
    (block,) = _blocks("**CodePipeline's image files**", "## Promotion")
    spec = yaml.safe_load(block)
    assert _inputs_of(spec["env"]["variables"])["image-definitions"] == "imagedefinitions.json"


def _the_images_command() -> str:
    """The console script that runs what the image's ENTRYPOINT runs (on the image's PATH)."""
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    dockerfile = (REPO / "Dockerfile").read_text()
    assert '"-m", "ecs_deploy.container"]' in dockerfile
    assert "ENV PATH=/opt/ecs-deploy/bin:$PATH" in dockerfile
    (name,) = [name for name, target in scripts.items() if target == "ecs_deploy.container:run"]
    return name
