"""The action's image, built and run the way GitHub runs a Docker action.

The image is built once per session with scripts/container/build.sh (podman by default, with
a local base image made from the Debian mirror; CONTAINER_ENGINE=docker on GitHub runners).

When the tests run:
- ECS_DEPLOY_CONTAINER_TESTS=1 (CI): always; a failure to set up or build is a test failure.
- ECS_DEPLOY_CONTAINER_TESTS=0: never (skipped).
- unset: only when the engine is installed; if the build fails they are skipped with the
  reason (the tail of the build log).
Other knobs: CONTAINER_ENGINE (podman | docker), ECS_DEPLOY_IMAGE (tag to build and run),
ECS_DEPLOY_CONTAINER_BUILD=0 (use an already built ECS_DEPLOY_IMAGE, do not build).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import pytest

from tests.e2e.action import ActionRun, parse_outputs

pytestmark = pytest.mark.container

REPO = Path(__file__).resolve().parents[2]
ENGINE = os.environ.get("CONTAINER_ENGINE", "podman")
IMAGE = os.environ.get("ECS_DEPLOY_IMAGE", "localhost/ecs-deploy:test")
SWITCH = os.environ.get("ECS_DEPLOY_CONTAINER_TESTS", "")
REQUIRED = SWITCH == "1"
REGION = "us-east-1"
BUILD_TIMEOUT = 1200  # fresh podman setup + base rootfs + image build is ~2 min on 2 cores
RUN_TIMEOUT = 300

# Where GitHub mounts things in a Docker action's container.
GH_WORKSPACE = "/github/workspace"
GH_FILE_COMMANDS = "/github/file_commands"
# GitHub's hosted runners run jobs as `runner` (uid 1001), who owns the workspace and the file
# commands; scripts/run-action.sh runs the container as that user (`--user "$(id -u):$(id -g)"`).
# As root (this project's CI machines) the tests make such a user's files; otherwise (a GitHub
# runner) they are the runner's own already.
RUNNER_USER = (1001, 1001) if os.geteuid() == 0 else (os.getuid(), os.getgid())


def _unavailable(reason: str) -> NoReturn:
    if REQUIRED:
        pytest.fail(f"{reason} (ECS_DEPLOY_CONTAINER_TESTS=1, so this is a failure)")
    pytest.skip(reason)


def _tail(text: str, lines: int = 25) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


@dataclass(frozen=True)
class Engine:
    """The container engine and the environment it needs (podman's private config files)."""

    command: str
    env: Mapping[str, str] = field(default_factory=dict)

    def run(
        self,
        args: Sequence[str] = (),
        *,
        env: Mapping[str, str] | None = None,
        volumes: Mapping[Path, str] | None = None,
        timeout: float = RUN_TIMEOUT,
        user: str | None = None,
        entrypoint: str | None = None,
        workdir: str = GH_WORKSPACE,
    ) -> subprocess.CompletedProcess[str]:
        """`<engine> run` like scripts/run-action.sh: host network, workspace mounted (the
        working directory), as the runner's user."""
        command = [self.command, "run", "--rm", "--network=host"]
        if user is not None:
            command += ["--user", user]
        if entrypoint is not None:
            command += ["--entrypoint", entrypoint]
        if volumes:
            command += ["--workdir", workdir]
        for host_path, container_path in (volumes or {}).items():
            command += ["-v", f"{host_path}:{container_path}"]
        for name, value in (env or {}).items():
            command += ["-e", f"{name}={value}"]
        command += [IMAGE, *args]
        return subprocess.run(
            command,
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def _podman_env() -> dict[str, str]:
    """Install/configure podman (idempotent) and read the env vars the setup script prints."""
    setup = subprocess.run(
        [str(REPO / "scripts/container/setup-podman.sh"), "--no-base"],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    if setup.returncode != 0:
        _unavailable(f"podman setup failed:\n{_tail(setup.stderr)}")
    env: dict[str, str] = {}
    for line in setup.stdout.splitlines():
        name, sep, value = line.removeprefix("export ").partition("=")
        if sep:
            env[name] = value
    return env


@pytest.fixture(scope="session")
def engine() -> Engine:
    if SWITCH == "0":
        pytest.skip("ECS_DEPLOY_CONTAINER_TESTS=0")
    if ENGINE not in ("podman", "docker"):
        pytest.fail(f"CONTAINER_ENGINE must be podman or docker, not {ENGINE!r}")
    if shutil.which(ENGINE) is None and not (REQUIRED and ENGINE == "podman"):
        _unavailable(
            f"{ENGINE} is not installed; set ECS_DEPLOY_CONTAINER_TESTS=1 to install podman "
            "(Debian, as root) and run these tests"
        )
    return Engine(ENGINE, _podman_env() if ENGINE == "podman" else {})


@pytest.fixture(scope="session")
def image(engine: Engine) -> str:
    """Build the image once per session with scripts/container/build.sh."""
    if os.environ.get("ECS_DEPLOY_CONTAINER_BUILD") == "0":
        inspect = subprocess.run(
            [engine.command, "image", "inspect", IMAGE],
            env={**os.environ, **engine.env},
            capture_output=True,
            text=True,
            check=False,
        )
        if inspect.returncode != 0:
            _unavailable(f"ECS_DEPLOY_CONTAINER_BUILD=0 but {IMAGE} does not exist")
        return IMAGE
    build = subprocess.run(
        [str(REPO / "scripts/container/build.sh")],
        env={
            **os.environ,
            **engine.env,
            "CONTAINER_ENGINE": engine.command,
            "ECS_DEPLOY_IMAGE": IMAGE,
        },
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    if build.returncode != 0:
        _unavailable(f"building {IMAGE} with {engine.command} failed:\n{_tail(build.stderr)}")
    return IMAGE


@dataclass
class ActionRunner:
    """Runs the image with no arguments, as GitHub does, with inputs as INPUT_* env vars."""

    engine: Engine
    workspace: Path
    file_commands: Path

    def __call__(
        self,
        inputs: Mapping[str, str],
        endpoint_url: str,
        credentials: Mapping[str, str] | None = None,
    ) -> ActionRun:
        (self.file_commands / "out").write_text("")
        (self.file_commands / "summary").write_text("")
        if os.geteuid() == 0:
            for owned in (self.workspace, self.file_commands, *self.file_commands.iterdir()):
                os.chown(owned, *RUNNER_USER)
        # GitHub's form: upper-cased, hyphens kept (INPUT_TASK-DEFINITION).
        env = {f"INPUT_{name.upper()}": value for name, value in inputs.items()}
        env.update(
            {
                "GITHUB_ACTIONS": "true",
                "GITHUB_WORKSPACE": GH_WORKSPACE,
                "GITHUB_OUTPUT": f"{GH_FILE_COMMANDS}/out",
                "GITHUB_STEP_SUMMARY": f"{GH_FILE_COMMANDS}/summary",
                "AWS_ENDPOINT_URL": endpoint_url,
                "AWS_REGION": REGION,
                **(credentials or {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "x"}),
            }
        )
        completed = self.engine.run(
            env=env,
            volumes={self.workspace: GH_WORKSPACE, self.file_commands: GH_FILE_COMMANDS},
            user=f"{RUNNER_USER[0]}:{RUNNER_USER[1]}",
        )
        return ActionRun(
            exit_code=completed.returncode,
            stdout=completed.stdout,
            stderr=completed.stderr,
            outputs=parse_outputs((self.file_commands / "out").read_text()),
            summary=(self.file_commands / "summary").read_text(),
        )


@pytest.fixture
def run_action(engine: Engine, image: str, tmp_path: Path) -> ActionRunner:
    runner = ActionRunner(engine, tmp_path / "workspace", tmp_path / "file_commands")
    runner.workspace.mkdir()
    runner.file_commands.mkdir()
    return runner


def _describe(run: ActionRun) -> str:
    return (
        f"exit {run.exit_code}\n--- stdout\n{_tail(run.stdout, 60)}\n"
        f"--- stderr\n{_tail(run.stderr, 60)}\n--- outputs\n{run.outputs}"
    )


IMAGE_SITE_PACKAGES = "/opt/ecs-deploy/lib/python3.13/site-packages"


def test_the_image_runs_its_installed_package_whatever_the_workspace_holds(
    engine: Engine, image: str, tmp_path: Path
) -> None:
    """A workspace with a directory named like the package (a fork, a vendored copy) is the
    working directory: the entrypoint must still run the package installed in the image."""
    from ecs_deploy import __version__

    decoy = tmp_path / "ecs_deploy"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("raise SystemExit('the workspace copy ran')\n")
    (decoy / "container.py").write_text("raise SystemExit('the workspace copy ran')\n")
    completed = engine.run(["--version"], volumes={tmp_path: GH_WORKSPACE}, timeout=60)

    assert completed.returncode == 0, completed.stdout + completed.stderr
    # Python 3.13: the one requirements/runtime.txt is locked for.
    expected = f"ecs-deploy {__version__} from {IMAGE_SITE_PACKAGES}/ecs_deploy (Python 3.13."
    assert completed.stdout.startswith(expected), completed.stdout


def test_the_image_holds_no_copy_of_the_source_and_only_the_botocore_data_it_uses(
    engine: Engine, image: str
) -> None:
    from ecs_deploy.aws.services import BOTOCORE_SERVICES

    probe = (
        "import os, botocore, ecs_deploy; "
        "data = os.path.join(os.path.dirname(botocore.__file__), 'data'); "
        "print(sorted(d for d in os.listdir(data) if os.path.isdir(os.path.join(data, d)))); "
        "print(os.path.exists('/app'), os.path.exists('/src'), ecs_deploy.__file__)"
    )
    completed = engine.run(["-I", "-c", probe], entrypoint="/opt/ecs-deploy/bin/python")

    assert completed.returncode == 0, completed.stderr
    services, where = completed.stdout.splitlines()
    assert services == str(sorted(BOTOCORE_SERVICES))
    assert where == f"False False {IMAGE_SITE_PACKAGES}/ecs_deploy/__init__.py"


def test_the_image_runs_as_a_user_other_than_root_by_default(engine: Engine, image: str) -> None:
    completed = engine.run(
        ["-I", "-c", "import os; print(os.getuid())"], entrypoint="/opt/ecs-deploy/bin/python"
    )

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "65532"


OLD_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.0.0"
NEW_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:2.0.0"


def _task_definition(image: str) -> dict[str, Any]:
    return {
        "family": "ctest-web",
        "networkMode": "bridge",
        "requiresCompatibilities": ["EC2"],
        "containerDefinitions": [
            {
                "name": "app",
                "image": image,
                "essential": True,
                "memory": 256,
                "cpu": 128,
                "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
            }
        ],
    }


def test_action_deploys_against_the_emulator(run_action: ActionRunner, ecs_emulator: Any) -> None:
    endpoint_url = ecs_emulator.endpoint_url
    ecs = ecs_emulator.client("ecs")
    ecs.create_cluster(clusterName="ctest")
    first = ecs.register_task_definition(**_task_definition(OLD_IMAGE))["taskDefinition"]
    ecs.create_service(
        cluster="ctest",
        serviceName="web",
        taskDefinition=first["taskDefinitionArn"],
        desiredCount=1,
        launchType="EC2",
    )
    # The file keeps the old image: the action replaces it for container-name.
    (run_action.workspace / "taskdef.json").write_text(json.dumps(_task_definition(OLD_IMAGE)))

    run = run_action(
        {
            "cluster": "ctest",
            "service": "web",
            "task-definition": "taskdef.json",
            "container-name": "app",
            "image": NEW_IMAGE,
            "poll-interval": "1s",
            "timeout": "3m",
        },
        endpoint_url,
    )

    assert run.exit_code == 0, _describe(run)
    assert run.outputs.get("outcome") == "succeeded", _describe(run)
    new_arn = run.outputs.get("task-definition-arn", "")
    assert new_arn.startswith("arn:aws:ecs:"), _describe(run)
    assert new_arn != first["taskDefinitionArn"]
    assert run.outputs.get("previous-task-definition-arn") == first["taskDefinitionArn"]
    services = json.loads(run.outputs["services"])
    assert [s["name"] for s in services] == ["web"]
    assert re.search(r"^\|.*\|\s*$", run.summary, re.MULTILINE), run.summary
    assert re.search(r"^\|\s*:?-{3,}", run.summary, re.MULTILINE), run.summary

    service = ecs.describe_services(cluster="ctest", services=["web"])["services"][0]
    assert service["taskDefinition"] == new_arn
    deployed = ecs.describe_task_definition(taskDefinition=new_arn)["taskDefinition"]
    assert [c["image"] for c in deployed["containerDefinitions"]] == [NEW_IMAGE]


def test_bad_input_exits_2_with_one_error_line(run_action: ActionRunner) -> None:
    # Nothing listens on port 9: input validation must fail before any AWS call.
    run = run_action(
        {"cluster": "ctest", "service": "web", "task-definition": "web", "timeout": "soon"},
        "http://127.0.0.1:9",
    )

    output = run.stdout + run.stderr
    assert run.exit_code == 2, _describe(run)
    assert "Traceback" not in output, output
    errors = [line for line in output.splitlines() if line.startswith("::error")]
    assert len(errors) == 1, output
    assert "timeout" in errors[0], output


def test_a_web_identity_role_works_with_the_trimmed_botocore(
    run_action: ActionRunner, ecs_emulator: Any
) -> None:
    """GitHub's and GitLab's OIDC: botocore assumes the role itself (STS
    AssumeRoleWithWebIdentity), so the image must keep STS's model though the action never
    calls STS (ecs_deploy/aws/services.py). The emulator answers STS too."""
    ecs = ecs_emulator.client("ecs")
    ecs.create_cluster(clusterName="oidc")
    (run_action.workspace / "token").write_text("header.payload.signature")
    run = run_action(
        {"cluster": "oidc", "service": "web", "dry-run": "true", "force-new-deployment": "true"},
        ecs_emulator.endpoint_url,
        credentials={
            "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/deploy",
            "AWS_WEB_IDENTITY_TOKEN_FILE": f"{GH_WORKSPACE}/token",
        },
    )
    output = run.stdout + run.stderr
    assert "Unable to locate credentials" not in output
    assert "UnknownServiceError" not in output and "DataNotFoundError" not in output, output
    assert ecs_emulator.calls.count("DescribeServices", "ecs") >= 1  # signed with them
    # The credentials worked: the run got as far as ECS, which says there is no service web.
    assert run.exit_code == 2, _describe(run)
    assert "web" in output and "not found" in output.lower(), _describe(run)
