"""scripts/run-action.sh, the composite action's one step, with a stand-in `docker` that
behaves as the engine does for what matters here: the container sees only the variables
passed with --env and only the directories mounted with --volume.

The stand-in runs entrypoint.py (the image's entrypoint) with exactly that environment, and
refuses, as a missing mount would fail, any file path given to it outside the mounts.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.action import REPO, parse_outputs
from tests.e2e.conftest import images_of, service_of
from tests.e2e.render import render

FAKE_DOCKER = '''#!{python}
"""docker info | build --quiet DIR | pull --quiet IMG | network ls |
docker run --rm [--env NAME]... [--volume A:B]... --workdir W IMG"""
import json, os, subprocess, sys
args = sys.argv[1:]
with open(os.environ["FAKE_DOCKER_LOG"], "a") as log:
    log.write(json.dumps(args) + "\\n")
if args[0] == "info":  # the engine answers, unless the test says there is none
    if os.environ.get("FAKE_DOCKER_ROOTLESS"):  # what rootless Docker lists in SecurityOptions
        print("[name=seccomp,profile=builtin name=rootless name=cgroupns]")
    sys.exit(1 if os.environ.get("FAKE_DOCKER_NO_ENGINE") else 0)
if args[0] == "build":
    print("sha256:0123abcd")
    sys.exit(0)
if args[0] == "pull":
    sys.exit(0)
if args[:2] == ["network", "ls"]:
    print("\\n".join(os.environ.get("FAKE_DOCKER_NETWORKS", "bridge host").split()))
    sys.exit(0)
assert args[:2] == ["run", "--rm"], args
names, mounts, rest = [], [], args[2:]
while rest[0].startswith("--"):
    flag, value, rest = rest[0], rest[1], rest[2:]
    if flag == "--env":
        names.append(value)
    elif flag == "--volume":
        mounts.append(value.split(":")[0])
    elif flag == "--workdir":
        workdir = value
    elif flag in ("--network", "--user"):
        pass
assert rest == [os.environ.get("FAKE_DOCKER_IMAGE", "sha256:0123abcd")], rest
env = {{name: os.environ[name] for name in names if name in os.environ}}
env["PATH"] = os.environ["PATH"]
for name in ("INPUT_TASK_DEFINITION", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"):
    path = env.get(name, "")
    if path.startswith("/") and not any(path.startswith(m + "/") for m in mounts):
        print(f"not mounted: {{path}}", file=sys.stderr)
        sys.exit(125)
sys.exit(subprocess.call([{python!r}, {entrypoint!r}], env=env, cwd=workdir))
'''


@pytest.fixture
def fake_docker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    bin_dir = tmp_path_factory.mktemp("bin")
    docker = bin_dir / "docker"
    docker.write_text(
        FAKE_DOCKER.format(python=sys.executable, entrypoint=str(REPO / "entrypoint.py"))
    )
    docker.chmod(0o755)
    return bin_dir


def _composite_env() -> dict[str, str]:
    """What action.yml's env: block sets for a step that gives no input: every one empty."""
    action = yaml.safe_load((REPO / "action.yml").read_text())
    (run_step,) = (step for step in action["runs"]["steps"] if step.get("id") == "run")
    return {name: "" for name in run_step["env"]}


def _run_step(
    *,
    fake_docker: Path,
    endpoint_url: str,
    workspace: Path,
    runner_temp: Path,
    inputs: dict[str, str],
    extra_env: dict[str, str] | None = None,
    action_path: Path = REPO,
) -> tuple[subprocess.CompletedProcess[str], dict[str, str], list[list[str]]]:
    commands = runner_temp / "_runner_file_commands"
    commands.mkdir(exist_ok=True)
    output, summary = commands / "set_output_1", commands / "step_summary_1"
    output.write_text("")
    summary.write_text("")
    log = runner_temp / "docker.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "AWS_", "GITHUB_"))}
    env.update(_composite_env())
    env.update(inputs)
    env.update(
        {
            "PATH": f"{fake_docker}:{os.environ['PATH']}",
            "FAKE_DOCKER_LOG": str(log),
            "GITHUB_ACTION_PATH": str(action_path),
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            "RUNNER_TEMP": str(runner_temp),
            "AWS_ENDPOINT_URL": endpoint_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1",
            "UNRELATED_SECRET": "not-for-the-container",
        }
    )
    env.update(extra_env or {})
    done = subprocess.run(
        ["bash", str(action_path / "scripts" / "run-action.sh")],
        env=env,
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=600,  # the packaged-CLI path installs a venv
        check=False,
    )
    lines = log.read_text().splitlines() if log.exists() else []
    calls = [call for call in map(json.loads, lines) if call[0] != "info"]
    return done, parse_outputs(output.read_text()), calls


@pytest.fixture
def step(
    ecs_emulator: Any, fake_docker: Path, workspace: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[..., Any]:
    runner_temp = tmp_path_factory.mktemp("runner_temp")

    def run(
        inputs: dict[str, str], extra_env: dict[str, str] | None = None, action_path: Path = REPO
    ) -> Any:
        return _run_step(
            fake_docker=fake_docker,
            endpoint_url=ecs_emulator.endpoint_url,
            workspace=workspace,
            runner_temp=runner_temp,
            inputs=inputs,
            extra_env=extra_env,
            action_path=action_path,
        )

    run.runner_temp = runner_temp  # type: ignore[attr-defined]
    return run


def test_a_render_output_under_runner_temp_deploys_through_the_composite_step(
    app: Any, step: Any, workspace: Path
) -> None:
    runner_temp: Path = step.runner_temp
    rendered = render(
        workspace / "taskdefs" / "web.json", runner_temp, container="app", image="r/web:7"
    )
    done, outputs, calls = step(
        {
            "INPUT_TASK_DEFINITION": str(rendered),
            "INPUT_SERVICE": "web",
            "INPUT_CLUSTER": "demo",
            "INPUT_ENVIRONMENT_VARIABLES": "DB_PASSWORD=s3cr3t-value",
            "INPUT_CONTAINER_NAME": "app",
            "INPUT_POLL_INTERVAL": "0.2s",
            "INPUT_TIMEOUT": "60s",
        }
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert outputs["exit-code"] == "0"
    assert outputs["outcome"] == "succeeded"
    arn = outputs["task-definition-arn"]
    assert service_of(app, "web")["taskDefinition"] == arn
    assert images_of(app, arn)["app"] == "r/web:7"

    build, network_ls, run = calls
    assert build == ["build", "--quiet", str(REPO)]  # a checkout: its own tree is built
    assert network_ls[:2] == ["network", "ls"]
    # As the runner's user, who owns the workspace and the file commands.
    assert run[run.index("--user") + 1] == f"{os.getuid()}:{os.getgid()}"
    # Mounted at their host paths: the workspace and RUNNER_TEMP (which holds file commands).
    assert f"{workspace}:{workspace}" in run
    assert f"{runner_temp}:{runner_temp}" in run
    assert run[run.index("--workdir") + 1] == str(workspace)
    passed = {run[i + 1] for i, arg in enumerate(run) if arg == "--env"}
    assert {"INPUT_TASK_DEFINITION", "AWS_ACCESS_KEY_ID", "GITHUB_OUTPUT", "RUNNER_TEMP"} <= passed
    assert "UNRELATED_SECRET" not in passed
    # Values never reach a command line, only names.
    assert not any("s3cr3t" in arg or "testing" in arg for arg in run)


def test_file_commands_outside_runner_temp_are_mounted_too(
    app: Any, step: Any, workspace: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("file_commands")
    summary = elsewhere / "summary"
    summary.write_text("")
    done, outputs, calls = step(
        {
            "INPUT_SERVICE": "web",
            "INPUT_CLUSTER": "demo",
            "INPUT_DRY_RUN": "true",
            "INPUT_FORCE_NEW_DEPLOYMENT": "true",
        },
        extra_env={"GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert outputs["outcome"] == "planned"
    assert f"{elsewhere}:{elsewhere}" in calls[-1]
    assert "web" in summary.read_text()  # written through the mount
    assert app.calls.mutating() == []


def test_a_failing_run_succeeds_the_step_and_hands_on_its_exit_code(app: Any, step: Any) -> None:
    """action.yml's next step fails with it; the outputs written before are the action's."""
    done, outputs, _ = step(
        {"INPUT_SERVICE": "web", "INPUT_CLUSTER": "demo", "INPUT_TIMEOUT": "0s"}
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert outputs["exit-code"] == "2"
    assert "timeout: '0s' must be greater than zero" in done.stdout
    assert app.calls.mutating() == []


@pytest.mark.parametrize(
    ("networks", "joined"),
    [
        ("bridge host none", None),
        ("bridge github_network_0a1b host", "github_network_0a1b"),
        ("github_network_0a1b github_network_2c3d", None),  # two jobs on one Docker host
    ],
)
def test_the_jobs_network_is_joined_when_there_is_exactly_one(
    app: Any, step: Any, networks: str, joined: str | None
) -> None:
    done, _, calls = step(
        {"INPUT_SERVICE": "web", "INPUT_CLUSTER": "demo", "INPUT_DRY_RUN": "true"},
        extra_env={"FAKE_DOCKER_NETWORKS": networks},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    run = next(call for call in calls if call[0] == "run")
    assert (run[run.index("--network") + 1] if "--network" in run else None) == joined


DIGEST = "sha256:" + "ab" * 32
RELEASED_IMAGE = f"ghcr.io/org/ecs-deploy@{DIGEST}"


def _action_copy(tmp_path: Path, release: str | None) -> Path:
    """The files of the action a runner checks out; with `release`, a release commit's."""
    action = tmp_path / "action"
    for name in ("pyproject.toml", "README.md", "LICENSE", "Dockerfile"):
        (action / name).parent.mkdir(parents=True, exist_ok=True)
        (action / name).write_bytes((REPO / name).read_bytes())
    for tree in ("ecs_deploy", "requirements", "scripts"):
        shutil.copytree(REPO / tree, action / tree, ignore=shutil.ignore_patterns("__pycache__"))
    if release is not None:
        (action / "action-release.env").write_text(release)
    return action


@pytest.mark.parametrize("last_newline", ["\n", ""], ids=["newline", "no-final-newline"])
def test_a_released_version_pulls_its_image_by_digest_and_never_builds(
    app: Any, step: Any, tmp_path: Path, last_newline: str
) -> None:
    action = _action_copy(
        tmp_path,
        f"ECS_DEPLOY_VERSION=1.2.3\nECS_DEPLOY_IMAGE={RELEASED_IMAGE}\n"
        f"ECS_DEPLOY_WHEEL_SHA256={'cd' * 32}{last_newline}",
    )
    done, outputs, calls = step(
        {"INPUT_SERVICE": "web", "INPUT_CLUSTER": "demo", "INPUT_DRY_RUN": "true"},
        extra_env={"FAKE_DOCKER_IMAGE": RELEASED_IMAGE},
        action_path=action,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert outputs["outcome"] == "planned"
    assert [call[0] for call in calls] == ["pull", "network", "run"]
    assert calls[0] == ["pull", "--quiet", RELEASED_IMAGE]
    assert calls[-1][-1] == RELEASED_IMAGE
    assert f"ecs-deploy 1.2.3: pulling {RELEASED_IMAGE}" in done.stderr


@pytest.mark.parametrize(
    ("release", "problem"),
    [
        (
            "ECS_DEPLOY_VERSION=1.2.3\nECS_DEPLOY_IMAGE=ghcr.io/org/ecs-deploy:v1\n"
            f"ECS_DEPLOY_WHEEL_SHA256={'cd' * 32}\n",
            "must name an image by digest",
        ),
        (
            f"ECS_DEPLOY_VERSION=1.2.3\nECS_DEPLOY_IMAGE={RELEASED_IMAGE}\n"
            "ECS_DEPLOY_WHEEL_SHA256=\n",
            "ECS_DEPLOY_WHEEL_SHA256 must be 64 hex digits",
        ),
        (f"ECS_DEPLOY_IMAGE={RELEASED_IMAGE}\nIMAGE=$(id)\n", "unknown key 'IMAGE'"),
    ],
)
def test_a_damaged_release_file_stops_before_anything_runs(
    app: Any, step: Any, tmp_path: Path, release: str, problem: str
) -> None:
    action = _action_copy(tmp_path, release)
    done, _, calls = step({"INPUT_SERVICE": "web", "INPUT_CLUSTER": "demo"}, action_path=action)
    assert done.returncode == 2
    assert problem in done.stdout
    assert calls == []  # neither pulled, built nor run
    assert app.calls.mutating() == []


def _python_3_13() -> str | None:
    """The image's Python, which requirements/runtime.txt is locked for (as action.yml sets up)."""
    candidates = [os.environ.get("ECS_DEPLOY_TEST_PYTHON", ""), "python3.13"]
    candidates += sorted(str(p) for p in Path.home().glob(".pyenv/versions/3.13*/bin/python3.13"))
    for candidate in filter(None, candidates):
        found = shutil.which(candidate)
        if found and subprocess.run([found, "-c", ""], capture_output=True).returncode == 0:
            return found
    return None


def test_without_a_docker_engine_the_packaged_cli_deploys_from_the_checkout(
    app: Any, step: Any, tmp_path: Path
) -> None:
    """macOS and Windows runners (no Linux containers) take this path; here a Linux runner
    whose `docker info` fails stands in for them. The venv is installed from PyPI for real."""
    python = _python_3_13()
    if python is None:
        pytest.skip("no Python 3.13 here (the packaged CLI's lock is for the image's Python)")
    action = _action_copy(tmp_path, release=None)
    done, outputs, calls = step(
        {
            "INPUT_SERVICE": "web",
            "INPUT_CLUSTER": "demo",
            "INPUT_IMAGE_TAG": "v2",
            "INPUT_CONTAINER_NAME": "app",
            "INPUT_POLL_INTERVAL": "0.2s",
            "INPUT_TIMEOUT": "60s",
        },
        extra_env={"FAKE_DOCKER_NO_ENGINE": "1", "ECS_DEPLOY_PYTHON": python},
        action_path=action,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert outputs["exit-code"] == "0", done.stdout + done.stderr
    assert outputs["outcome"] == "succeeded"
    assert calls == []  # no container at all
    assert "running the packaged CLI: ecs-deploy 0.1.0 from " in done.stderr
    # The venv's installed package, not the checkout (which the install leaves as it was).
    (pointer,) = step.runner_temp.glob("ecs-deploy-cli-*.venv")
    venv = pointer.read_text().strip()
    assert f"from {venv}/lib/python3.13/site-packages/ecs_deploy " in done.stderr
    assert not (action / "build").exists()
    assert not list(action.glob("*.egg-info"))

    # A second run reuses the venv (no install), and a venv whose Python is gone is replaced.
    again, outputs, _ = step(
        {"INPUT_SERVICE": "web", "INPUT_CLUSTER": "demo", "INPUT_DRY_RUN": "true"},
        extra_env={"FAKE_DOCKER_NO_ENGINE": "1", "ECS_DEPLOY_PYTHON": python},
        action_path=action,
    )
    assert outputs["outcome"] == "planned", again.stdout + again.stderr
    assert pointer.read_text().strip() == venv
    (Path(venv) / "bin" / "python").unlink()
    replaced, outputs, _ = step(
        {"INPUT_SERVICE": "web", "INPUT_CLUSTER": "demo", "INPUT_DRY_RUN": "true"},
        extra_env={"FAKE_DOCKER_NO_ENGINE": "1", "ECS_DEPLOY_PYTHON": python},
        action_path=action,
    )
    assert outputs["outcome"] == "planned", replaced.stdout + replaced.stderr
    assert pointer.read_text().strip() != venv
    assert "(Python 3.13" in done.stderr


def test_with_rootless_docker_the_container_runs_as_its_root_the_runners_user(
    app: Any, step: Any
) -> None:
    done, outputs, calls = step(
        {"INPUT_SERVICE": "web", "INPUT_CLUSTER": "demo", "INPUT_DRY_RUN": "true"},
        extra_env={"FAKE_DOCKER_ROOTLESS": "1"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert outputs["outcome"] == "planned"
    run = next(call for call in calls if call[0] == "run")
    assert run[run.index("--user") + 1] == "0:0"
