"""The CI examples (examples/codebuild/buildspec.yml, examples/gitlab/.gitlab-ci.yml) as jobs.

Each example file is read as its platform reads it, and its commands become one POSIX shell
script that runs them the way the platform does, with the variables the platform sets. The
same script runs on this machine (tests/e2e/test_pipelines.py, entrypoint.py from the
checkout) and in the built image (tests/container/test_pipelines.py).

Platform behaviour reproduced, in AWS's and GitLab's words:
- CodeBuild, buildspec version 0.2 ("Build specification reference for CodeBuild",
  https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html): `env: variables`
  are set for the build; all commands run in one shell (0.2: variables persist between
  commands); after a failing command the phase stops, and its `finally` block "is run even if
  a command in the commands block fails"; post_build runs after a failed build phase (which
  is what CODEBUILD_BUILD_SUCCEEDING is for), nothing runs after a failed install or
  pre_build; the variables listed
  under `exported-variables` are read from that shell when the build ends. Commands run in
  CODEBUILD_SRC_DIR. Variables CodeBuild sets ("Environment variables in build environments",
  https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-env-vars.html):
  CODEBUILD_BUILD_ID, CODEBUILD_BUILD_ARN, CODEBUILD_RESOLVED_SOURCE_VERSION,
  CODEBUILD_SRC_DIR, CODEBUILD_INITIATOR (codepipeline/<pipeline> when CodePipeline started
  it), AWS_REGION and AWS_DEFAULT_REGION.
- GitLab CI (https://docs.gitlab.com/ci/yaml/): a job `extends` a hidden job, its `variables`
  merged key by key over the parent's; `$NAME` in a variable is expanded; the `script` lines run
  in one shell in CI_PROJECT_DIR and the job stops at the first failing line; the
  `artifacts: reports: dotenv` file is collected (`when: always`: after a failure too) and its
  variables are given to later jobs. Predefined variables
  (https://docs.gitlab.com/ci/variables/predefined_variables/): GITLAB_CI, CI, CI_PROJECT_DIR,
  CI_COMMIT_SHA, CI_JOB_ID, CI_JOB_NAME, CI_PIPELINE_ID, CI_ENVIRONMENT_NAME.

What the examples cannot have here, and the test supplies: AWS credentials (the service role
or the OIDC token exchange; dummy keys instead), the emulator's endpoint and region.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
BUILDSPEC = REPO / "examples" / "codebuild" / "buildspec.yml"
GITLAB_CI = REPO / "examples" / "gitlab" / ".gitlab-ci.yml"
PROMOTION_APP = REPO / "examples" / "promotion" / ".ecs-deploy.yml"
# The image's command on its PATH (pyproject's scripts; the ENTRYPOINT runs the same).
IMAGE_ENTRYPOINT = "ecs-deploy-action"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
REGION = "us-east-1"  # the emulator's

EXPORTED = "exported:"  # marks the lines that report the exported variables


def codebuild_variables(source_dir: str) -> dict[str, str]:
    build_id = "deploy-app:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
    return {
        "CODEBUILD_BUILD_ID": build_id,
        "CODEBUILD_BUILD_ARN": f"arn:aws:codebuild:{REGION}:123456789012:build/{build_id}",
        "CODEBUILD_BUILD_NUMBER": "7",
        "CODEBUILD_INITIATOR": "codepipeline/app-pipeline",
        "CODEBUILD_RESOLVED_SOURCE_VERSION": COMMIT,
        "CODEBUILD_SRC_DIR": source_dir,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
    }


def gitlab_variables(project_dir: str, job: str, environment: str | None) -> dict[str, str]:
    variables = {
        "GITLAB_CI": "true",
        "CI": "true",
        "CI_PROJECT_DIR": project_dir,
        "CI_COMMIT_SHA": COMMIT,
        "CI_JOB_ID": "4242",
        "CI_JOB_NAME": job,
        "CI_PIPELINE_ID": "99",
    }
    if environment:
        variables["CI_ENVIRONMENT_NAME"] = environment
    return variables


@dataclass(frozen=True)
class Job:
    """One job of an example: its variables, its script, and what the platform collects."""

    variables: Mapping[str, str]
    script: str  # POSIX shell, run in the checkout
    exported: tuple[str, ...] = ()  # CodeBuild's exported-variables
    dotenv: str | None = None  # GitLab's dotenv report, relative to the project folder
    extra: Mapping[str, Any] = field(default_factory=dict)


def _commands(items: Sequence[str] | None, entrypoint: str) -> list[str]:
    """The job's commands, with `entrypoint` run where the image's command is."""
    command = re.compile(rf"(?<![\w./-]){re.escape(IMAGE_ENTRYPOINT)}(?![\w.-])")
    return [command.sub(entrypoint, str(item)) for item in items or ()]


def codebuild_job(entrypoint: str = IMAGE_ENTRYPOINT, path: Path = BUILDSPEC) -> Job:
    spec = yaml.safe_load(path.read_text())
    assert str(spec["version"]) == "0.2", "the emulation follows buildspec version 0.2"
    env = spec.get("env") or {}
    exported = tuple(env.get("exported-variables") or ())
    # One shell for the whole build. A failing command ends its phase's commands (its
    # `finally` still runs); after a failed install or pre_build nothing else runs, while
    # post_build runs after a failed build too (hence CODEBUILD_BUILD_SUCCEEDING).
    lines = ["status=0", "stopped=0"]
    for phase in ("install", "pre_build", "build", "post_build"):
        block = (spec.get("phases") or {}).get(phase) or {}
        lines.append(f"phase_status=0  # {phase}")
        for command in _commands(block.get("commands"), entrypoint):
            lines += [
                'if [ "$stopped" -eq 0 ] && [ "$phase_status" -eq 0 ]; then',
                command,
                "phase_status=$?",
                "fi",
            ]
        for command in _commands(block.get("finally"), entrypoint):
            lines += ['if [ "$stopped" -eq 0 ]; then', command, "fi"]
        lines.append('if [ "$phase_status" -ne 0 ]; then status=$phase_status; fi')
        if phase in ("install", "pre_build"):
            lines.append('if [ "$status" -ne 0 ]; then stopped=1; fi')
    for name in exported:
        lines.append(f'printf "%s %s=%s\\n" {EXPORTED} {name} "${{{name}-}}"')
    lines.append('exit "$status"')
    return Job(
        variables={str(k): str(v) for k, v in (env.get("variables") or {}).items()},
        script="\n".join(lines) + "\n",
        exported=exported,
    )


def gitlab_job(
    name: str,
    predefined: Mapping[str, str],
    entrypoint: str = IMAGE_ENTRYPOINT,
    path: Path = GITLAB_CI,
) -> Job:
    pipeline = yaml.safe_load(path.read_text())
    job = dict(pipeline[name])
    parents = job.get("extends") or []
    for parent in [parents] if isinstance(parents, str) else parents:
        base = dict(pipeline[parent])
        assert "extends" not in base, "the emulation resolves one level of extends"
        variables = {**(base.get("variables") or {}), **(job.get("variables") or {})}
        job = {**base, **job, "variables": variables}
    # GitLab expands $NAME in job variables from the variables it knows.
    raw = {str(k): str(v) for k, v in (job.get("variables") or {}).items()}
    variables = {k: Template(v).safe_substitute({**predefined, **raw}) for k, v in raw.items()}
    script = ["set -e", *_commands(job.get("script"), entrypoint)]
    reports = ((job.get("artifacts") or {}).get("reports")) or {}
    return Job(
        variables=variables,
        script="\n".join(script) + "\n",
        dotenv=reports.get("dotenv"),
        extra={"needs": job.get("needs"), "artifacts": job.get("artifacts")},
    )


def exported_values(stdout: str) -> dict[str, str]:
    """The exported variables as the CodeBuild emulation printed them."""
    found: dict[str, str] = {}
    for line in stdout.splitlines():
        if line.startswith(EXPORTED + " "):
            name, _, value = line.removeprefix(EXPORTED + " ").partition("=")
            found[name] = value
    return found


_DOTENV_LINE = re.compile(r"(?P<name>[A-Za-z0-9_]+)=(?P<value>.*)")
GITLAB_DOTENV_MAX_BYTES = 5 * 1024  # dotenv_size's default


def read_dotenv(text: str) -> dict[str, str]:
    """Parse a dotenv report with GitLab's rules; a line GitLab would refuse fails the test
    (https://docs.gitlab.com/ci/yaml/artifacts_reports/#artifactsreportsdotenv)."""
    assert len(text.encode()) <= GITLAB_DOTENV_MAX_BYTES, "GitLab refuses a dotenv over 5 KB"
    values: dict[str, str] = {}
    for line in text.splitlines():
        match = _DOTENV_LINE.fullmatch(line)
        assert match, f"not a dotenv line GitLab accepts: {line!r}"
        values[match["name"]] = match["value"]
    assert len(values) <= 20, "GitLab's smallest plan limit is 20 variables"
    return values


def with_exports(script: str, variables: Mapping[str, str]) -> str:
    """`script` preceded by `export` lines: a job's variables as the runner sets them."""
    lines = [f"export {name}={shlex.quote(value)}" for name, value in variables.items()]
    return "\n".join([*lines, script])
