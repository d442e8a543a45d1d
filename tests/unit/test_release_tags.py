"""The release job's tag step, run as written in release.yml against a local origin.

The step's shell (taken from the workflow file, not copied) commits action-release.env on top
of the tagged source, moves vX.Y.Z there, moves vMAJOR only forward to a final release, and
pushes both or neither. A re-run of the job must make the very same commit, so retrying a
failed release never leaves two release commits for one version.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DIGEST = "sha256:" + "12" * 32
WHEEL_SHA256 = "34" * 32
IMAGE = "ghcr.io/org/ecs-deploy"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _tag_step_script() -> str:
    workflow: dict[str, Any] = yaml.safe_load(
        (REPO / ".github" / "workflows" / "release.yml").read_text()
    )
    (step,) = [each for each in workflow["jobs"]["release"]["steps"] if each.get("id") == "tags"]
    script: str = step["run"]
    return script


def _git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "maintainer",
        "GIT_AUTHOR_EMAIL": "maintainer@example.com",
        "GIT_COMMITTER_NAME": "maintainer",
        "GIT_COMMITTER_EMAIL": "maintainer@example.com",
    }
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.strip()


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """A bare origin holding one source commit (with scripts/release.py), tagged per test."""
    work = tmp_path / "source"
    (work / "scripts").mkdir(parents=True)
    shutil.copy(REPO / "scripts" / "release.py", work / "scripts" / "release.py")
    _git(work, "init", "--quiet", "--initial-branch=main")
    _git(work, "add", ".")
    _git(work, "commit", "--quiet", "-m", "source")
    bare = tmp_path / "origin.git"
    _git(tmp_path, "clone", "--quiet", "--bare", str(work), str(bare))
    return bare


def _tag(origin: Path, name: str, target: str = "main") -> None:
    _git(origin, "tag", "--annotate", name, "-m", name, target)


def _run_step(
    origin: Path, tmp_path: Path, tag: str, version: str, major: str, now: str = "2030-01-01"
) -> dict[str, str]:
    """The step in a fresh clone of origin at the tag's source commit, as actions/checkout.

    `now` stands for the clock (git's dates default to these variables): the step must not
    depend on it.
    """
    checkout = tmp_path / f"checkout-{len(list(tmp_path.glob('checkout-*')))}"
    _git(tmp_path, "clone", "--quiet", str(origin), str(checkout))
    _git(checkout, "checkout", "--quiet", "--detach", f"refs/tags/{tag}^{{commit}}")
    output = checkout.parent / f"{checkout.name}.output"
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GITHUB_OUTPUT": str(output),
        "VERSION": version,
        "TAG": tag,
        "MAJOR": major,
        "IMAGE": IMAGE,
        "DIGEST": DIGEST,
        "WHEEL_SHA256": WHEEL_SHA256,
        "GIT_AUTHOR_DATE": f"{now}T00:00:00Z",
        "GIT_COMMITTER_DATE": f"{now}T00:00:00Z",
    }
    subprocess.run(
        ["bash", "-eo", "pipefail", "-c", _tag_step_script()],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return dict(line.split("=", 1) for line in output.read_text().splitlines())


def _commit(origin: Path, ref: str) -> str:
    return _git(origin, "rev-parse", f"{ref}^{{commit}}")


def test_the_release_commit_adds_action_release_env_on_the_source(
    origin: Path, tmp_path: Path
) -> None:
    source = _commit(origin, "main")
    _tag(origin, "v1.0.0")
    outputs = _run_step(origin, tmp_path, "v1.0.0", "1.0.0", "v1")
    release = _commit(origin, "refs/tags/v1.0.0")
    assert release != source
    assert _git(origin, "rev-parse", f"{release}^") == source
    assert _git(origin, "diff", "--name-only", source, release) == "action-release.env"
    assert _git(origin, "show", f"{release}:action-release.env").splitlines() == [
        "ECS_DEPLOY_VERSION=1.0.0",
        f"ECS_DEPLOY_IMAGE={IMAGE}@{DIGEST}",
        f"ECS_DEPLOY_WHEEL_SHA256={WHEEL_SHA256}",
    ]
    assert _commit(origin, "refs/tags/v1") == release
    assert outputs == {"moved-major": "true"}


def test_a_rerun_makes_the_same_commit(origin: Path, tmp_path: Path) -> None:
    _tag(origin, "v1.0.0")
    _run_step(origin, tmp_path, "v1.0.0", "1.0.0", "v1", now="2030-01-01")
    first = _commit(origin, "refs/tags/v1.0.0")
    first_tag = _git(origin, "rev-parse", "refs/tags/v1.0.0")
    # The re-run checks out the event's commit (the source), not the moved tag.
    _git(origin, "tag", "--force", "--annotate", "v1.0.0", "-m", "again", "main")
    _run_step(origin, tmp_path, "v1.0.0", "1.0.0", "v1", now="2031-06-30")
    assert _commit(origin, "refs/tags/v1.0.0") == first
    assert _git(origin, "rev-parse", "refs/tags/v1.0.0") == first_tag  # the tag object too
    assert _commit(origin, "refs/tags/v1") == first


def test_a_patch_to_an_older_line_leaves_the_floating_tag(origin: Path, tmp_path: Path) -> None:
    _tag(origin, "v1.3.0")
    _git(origin, "tag", "v1", "v1.3.0^{commit}")
    _tag(origin, "v1.2.4")
    outputs = _run_step(origin, tmp_path, "v1.2.4", "1.2.4", "v1")
    assert outputs == {"moved-major": "false"}
    assert _commit(origin, "refs/tags/v1") == _commit(origin, "refs/tags/v1.3.0")
    assert _git(origin, "show", "refs/tags/v1.2.4:action-release.env").startswith(
        "ECS_DEPLOY_VERSION=1.2.4\n"
    )


def test_a_prerelease_creates_no_floating_tag(origin: Path, tmp_path: Path) -> None:
    _tag(origin, "v2.0.0rc1")
    outputs = _run_step(origin, tmp_path, "v2.0.0rc1", "2.0.0rc1", "v2")
    assert outputs == {"moved-major": "false"}
    assert "refs/tags/v2\n" not in _git(origin, "show-ref", "--tags") + "\n"
    assert _git(origin, "show", "refs/tags/v2.0.0rc1:action-release.env")
