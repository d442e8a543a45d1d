"""scripts/release.py: the tag check, action-release.env and when the floating tag moves.

The release workflow acts on these answers (it fails a mismatched tag, writes the file
scripts/run-action.sh reads, force-moves vMAJOR), so each is checked through the command line
the workflow calls.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / "scripts" / "release.py"
DIGEST = "sha256:" + "ab" * 32
WHEEL = "cd" * 32


def _run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=cwd,
    )


def _tag(
    tmp_path: Path, tag: str, version: str, package_version: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`release.py tag TAG` for a project of `version` (the package's own too, unless given)."""
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(f'[project]\nname = "x"\nversion = "{version}"\n')
    init = tmp_path / "__init__.py"
    init.write_text(f'"""x."""\n\n__version__ = "{package_version or version}"\n')
    return _run("tag", tag, "--pyproject", str(pyproject), "--package-init", str(init))


def _outputs(stdout: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in stdout.splitlines())


def test_the_tag_of_the_repository_version_passes() -> None:
    import tomllib

    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    checked = _run("tag", f"v{version}")
    assert checked.returncode == 0, checked.stderr
    assert _outputs(checked.stdout)["version"] == version


def test_a_final_release_names_its_major(tmp_path: Path) -> None:
    checked = _tag(tmp_path, "v1.2.3", "1.2.3")
    assert checked.returncode == 0, checked.stderr
    assert _outputs(checked.stdout) == {
        "version": "1.2.3",
        "major": "v1",
        "tag": "v1.2.3",
        "prerelease": "false",
    }


def test_a_release_candidate_is_a_prerelease(tmp_path: Path) -> None:
    checked = _tag(tmp_path, "v2.0.0rc1", "2.0.0rc1")
    assert checked.returncode == 0, checked.stderr
    assert _outputs(checked.stdout)["prerelease"] == "true"
    assert _outputs(checked.stdout)["major"] == "v2"


@pytest.mark.parametrize(
    ("tag", "version"),
    [("v1.2.4", "1.2.3"), ("1.2.3", "1.2.3"), ("v1.2.3-rc1", "1.2.3rc1"), ("v01.2.3", "1.2.3")],
)
def test_a_tag_that_is_not_the_pyproject_version_fails_clearly(
    tmp_path: Path, tag: str, version: str
) -> None:
    checked = _tag(tmp_path, tag, version)
    assert checked.returncode == 2
    assert checked.stdout == ""
    assert f"tag {tag!r} does not match pyproject.toml's version {version!r}" in checked.stderr
    assert len(checked.stderr.splitlines()) == 1
    assert "Traceback" not in checked.stderr


def test_a_version_that_is_not_a_release_version_fails(tmp_path: Path) -> None:
    checked = _tag(tmp_path, "v1.2", "1.2")
    assert checked.returncode == 2
    assert "'1.2' is not X.Y.Z" in checked.stderr


def test_a_package_version_that_differs_from_pyproject_fails(tmp_path: Path) -> None:
    # `ecs-deploy --version` would print the stale number in the released image and wheel.
    checked = _tag(tmp_path, "v1.2.3", "1.2.3", package_version="1.2.2")
    assert checked.returncode == 2
    assert "__version__ '1.2.2' is not pyproject.toml's version '1.2.3'" in checked.stderr


def test_a_pyproject_without_version_fails(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n')
    checked = _run("tag", "v1.0.0", "--pyproject", str(path))
    assert checked.returncode == 2
    assert "[project] has no version" in checked.stderr


def test_release_env_has_exactly_the_three_lines(tmp_path: Path) -> None:
    output = tmp_path / "action-release.env"
    image = f"ghcr.io/org/ecs-deploy@{DIGEST}"
    written = _run(
        "release-env",
        "--version",
        "1.2.3",
        "--image",
        image,
        "--wheel-sha256",
        WHEEL,
        "--output",
        str(output),
    )
    assert written.returncode == 0, written.stderr
    assert output.read_text().splitlines() == [
        "ECS_DEPLOY_VERSION=1.2.3",
        f"ECS_DEPLOY_IMAGE={image}",
        f"ECS_DEPLOY_WHEEL_SHA256={WHEEL}",
    ]


@pytest.mark.parametrize(
    ("option", "value", "problem"),
    [
        ("--image", "ghcr.io/org/ecs-deploy:1.2.3", "is not ghcr.io/<name>@sha256:<64 hex>"),
        ("--image", f"docker.io/org/ecs-deploy@{DIGEST}", "is not ghcr.io/"),
        ("--image", f"ghcr.io/Org/ecs-deploy@{DIGEST}", "is not ghcr.io/"),
        ("--wheel-sha256", "AB" * 32, "is not 64 lowercase hex digits"),
        ("--wheel-sha256", "ab" * 31, "is not 64 lowercase hex digits"),
        ("--version", "1.2", "is not a release version"),
    ],
)
def test_release_env_refuses_a_value_run_action_could_not_use(
    tmp_path: Path, option: str, value: str, problem: str
) -> None:
    values = {
        "--version": "1.2.3",
        "--image": f"ghcr.io/org/ecs-deploy@{DIGEST}",
        "--wheel-sha256": WHEEL,
    }
    values[option] = value
    output = tmp_path / "action-release.env"
    args = [part for pair in values.items() for part in pair]
    written = _run("release-env", *args, "--output", str(output))
    assert written.returncode == 2
    assert problem in written.stderr
    assert not output.exists()


@pytest.mark.parametrize(
    ("version", "existing", "moves"),
    [
        ("1.0.0", [], True),
        ("1.2.3", ["v1.0.0", "v1.2.2", "v1"], True),
        ("1.2.3", ["v1.2.3"], True),  # a re-run of the same release
        ("1.2.4", ["v1.3.0"], False),  # a patch to an older line: v1 stays on 1.3.0
        ("1.10.0", ["v1.9.0"], True),  # numbers, not strings
        ("1.2.3", ["v2.0.0"], True),  # another major's tags do not count
        ("2.0.0rc1", ["v1.9.0"], False),  # a pre-release never moves the floating tag
        ("1.3.0", ["v1.4.0rc1", "latest"], True),  # only final vX.Y.Z tags count
    ],
)
def test_the_floating_tag_moves_only_forward_to_a_final_release(
    version: str, existing: list[str], moves: bool
) -> None:
    decided = _run("move-major", version, *existing)
    assert decided.returncode == 0, decided.stderr
    assert decided.stdout == f"move={'true' if moves else 'false'}\n"
