"""The CI platform a run is in, from the variables each one documents, and where outputs go there.

- CodeBuild sets CODEBUILD_BUILD_ID and CODEBUILD_BUILD_ARN in every build, and
  CODEBUILD_RESOLVED_SOURCE_VERSION to the commit (CodeCommit, GitHub, Bitbucket) or to the
  source revision CodePipeline gave; it is not set for an S3 source ("Environment variables in
  build environments", https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-env-vars.html).
- GitLab sets GITLAB_CI=true and CI_PROJECT_DIR in every job
  (https://docs.gitlab.com/ci/variables/predefined_variables/).
- GitHub Actions sets GITHUB_ACTIONS=true in every step ("Store information in variables",
  default environment variables, https://docs.github.com/en/actions/reference/variables-reference).
GitHub Actions' files ($GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY) are read in settings.github_files.
This module is the one place that tells the platforms apart (`platform_of`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ecs_deploy.config.declared_inputs import declared

# Where relative paths resolve: the checkout, as GitHub Actions, GitLab CI and CodeBuild name it.
WORKSPACE_VARIABLES = ("GITHUB_WORKSPACE", "CI_PROJECT_DIR", "CODEBUILD_SRC_DIR")
SOURCE_VERSION_VARIABLE = "CODEBUILD_RESOLVED_SOURCE_VERSION"
GITLAB_DOTENV_DEFAULT = "ecs-deploy.env"


class Platform(StrEnum):
    GITHUB_ACTIONS = "GitHub Actions"
    GITLAB_CI = "GitLab CI"
    CODEBUILD = "AWS CodeBuild"


def platform_of(env: Mapping[str, str]) -> Platform | None:
    """The CI platform of this run; None outside one (a person's shell).

    GitHub Actions first: a self-hosted runner can itself run inside a CodeBuild build
    (CodeBuild-hosted GitHub Actions runners), and then the run is the workflow's.
    """
    if in_github_actions(env):
        return Platform.GITHUB_ACTIONS
    if in_gitlab(env):
        return Platform.GITLAB_CI
    if in_codebuild(env):
        return Platform.CODEBUILD
    return None


def in_github_actions(env: Mapping[str, str]) -> bool:
    return env.get("GITHUB_ACTIONS") == "true"


def in_codebuild(env: Mapping[str, str]) -> bool:
    return bool(env.get("CODEBUILD_BUILD_ID") or env.get("CODEBUILD_BUILD_ARN"))


def in_gitlab(env: Mapping[str, str]) -> bool:
    return env.get("GITLAB_CI") == "true"


def codebuild_source_version(env: Mapping[str, str]) -> str | None:
    """The commit CodeBuild built, in CodeBuild only (None elsewhere, or for an S3 source)."""
    if not in_codebuild(env):
        return None
    return env.get(SOURCE_VERSION_VARIABLE, "").strip() or None


def workspace_of(env: Mapping[str, str]) -> Path:
    for name in WORKSPACE_VARIABLES:
        if env.get(name):
            return Path(env[name])
    return Path.cwd()


@dataclass(frozen=True, slots=True)
class OutputFiles:
    """Files the outputs are written to besides GitHub's: shell exports, a GitLab dotenv report."""

    exports: Path | None = None
    dotenv: Path | None = None


def output_files(raw: Mapping[str, str], env: Mapping[str, str]) -> OutputFiles:
    """From the raw inputs, before they are validated: even an invalid run writes its outcome."""
    workspace = workspace_of(env)

    def resolve(name: str, default: str | None = None) -> Path | None:
        text = (raw.get(declared(name).name) or "").strip() or default
        if not text:
            return None
        path = Path(text).expanduser()
        return path if path.is_absolute() else workspace / path

    return OutputFiles(
        exports=resolve("exports-file"),
        dotenv=resolve("dotenv-file", GITLAB_DOTENV_DEFAULT if in_gitlab(env) else None),
    )
