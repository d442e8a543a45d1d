"""The release workflow's promises that actionlint and zizmor do not check.

Every third-party action is pinned to a commit with its version beside it, the same pin
everywhere; nothing a user consumes (PyPI, the moved tags, the floating image tag) is reached
before the smoke test passed on both architectures; each job names its own permissions; the
pull-request dry run goes through the same composite actions as the release.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
COMPOSITES = sorted((REPO / ".github" / "actions").glob("*/action.yml"))
PINNED = re.compile(r"^(?P<action>[\w.-]+/[\w./-]+)@(?P<sha>[0-9a-f]{40}) # v\d+\.\d+\.\d+$")


def _load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text())
    return loaded


def _uses_lines() -> list[tuple[str, str]]:
    found = []
    for path in [*WORKFLOWS, *COMPOSITES, REPO / "action.yml"]:
        for line in path.read_text().splitlines():
            matched = re.match(r"^\s*(?:- )?uses:\s*(.+)$", line)
            if matched:
                found.append((path.relative_to(REPO).as_posix(), matched.group(1).strip()))
    return found


@pytest.fixture(scope="module")
def release() -> dict[str, Any]:
    return _load(REPO / ".github" / "workflows" / "release.yml")


def test_third_party_actions_are_pinned_to_a_commit_with_its_version() -> None:
    third_party = [(path, uses) for path, uses in _uses_lines() if not uses.startswith("./")]
    assert third_party, "no third-party action found: the scan is broken"
    unpinned = [(path, uses) for path, uses in third_party if not PINNED.match(uses)]
    assert unpinned == []


def test_each_action_has_one_pin_across_the_repository() -> None:
    pins: dict[str, set[str]] = {}
    for _, uses in _uses_lines():
        matched = PINNED.match(uses)
        if matched:
            pins.setdefault(matched["action"], set()).add(uses)
    assert {action: sorted(each) for action, each in pins.items() if len(each) > 1} == {}


def _needs(jobs: dict[str, Any], name: str) -> set[str]:
    direct = jobs[name].get("needs", [])
    direct = [direct] if isinstance(direct, str) else direct
    return set(direct).union(*(_needs(jobs, each) for each in direct))


@pytest.mark.parametrize("job", ["pypi", "release", "floating-image-tag"])
def test_nothing_users_consume_changes_before_the_smoke_test(
    release: dict[str, Any], job: str
) -> None:
    assert "smoke" in _needs(release["jobs"], job)


def test_the_smoke_test_runs_on_both_architectures(release: dict[str, Any]) -> None:
    smoke = release["jobs"]["smoke"]
    assert smoke["runs-on"] == "${{ matrix.runner }}"
    assert set(smoke["strategy"]["matrix"]["runner"]) == {"ubuntu-24.04", "ubuntu-24.04-arm"}
    image = release["jobs"]["image"]["strategy"]["matrix"]["include"]
    assert {(each["platform"], each["runner"]) for each in image} == {
        ("linux/amd64", "ubuntu-24.04"),
        ("linux/arm64", "ubuntu-24.04-arm"),
    }


def test_the_release_runs_on_version_tags_only(release: dict[str, Any]) -> None:
    # PyYAML reads the key `on` as True.
    assert release[True] == {"push": {"tags": ["v*.*.*"]}}


def test_every_job_names_its_own_permissions(release: dict[str, Any]) -> None:
    assert release["permissions"] == {}
    undeclared = [name for name, job in release["jobs"].items() if "permissions" not in job]
    assert undeclared == []


def test_only_the_publish_job_can_mint_a_pypi_token(release: dict[str, Any]) -> None:
    jobs = release["jobs"]
    assert jobs["pypi"]["environment"]["name"] == "pypi"
    assert jobs["pypi"]["permissions"] == {"id-token": "write"}
    minting = {name for name, job in jobs.items() if "id-token" in job["permissions"]}
    # merge: the Sigstore certificate for the image's provenance, no PyPI environment.
    assert minting == {"pypi", "merge"}
    assert "environment" not in jobs["merge"]


def test_only_the_release_job_can_push_to_the_repository(release: dict[str, Any]) -> None:
    writers = {
        name
        for name, job in release["jobs"].items()
        if job["permissions"].get("contents") == "write"
    }
    assert writers == {"release"}


def test_the_dry_run_builds_and_smoke_tests_through_the_release_composites(
    release: dict[str, Any],
) -> None:
    ci = _load(REPO / ".github" / "workflows" / "ci.yml")

    def composites(job: dict[str, Any]) -> set[str]:
        return {
            step["uses"]
            for step in job["steps"]
            if step.get("uses", "").startswith("./.github/actions/")
        }

    dry_run = ci["jobs"]["release-dry-run"]
    assert composites(dry_run) == {"./.github/actions/build-image", "./.github/actions/smoke-test"}
    assert composites(release["jobs"]["image"]) == {"./.github/actions/build-image"}
    assert composites(release["jobs"]["smoke"]) == {"./.github/actions/smoke-test"}
    build = next(step for step in dry_run["steps"] if "build-image" in step.get("uses", ""))
    assert build["with"]["push"] == "false"


def test_the_smoke_test_runs_the_action_wrapper_with_the_given_image() -> None:
    smoke = _load(REPO / ".github" / "actions" / "smoke-test" / "action.yml")
    deploy = next(step for step in smoke["runs"]["steps"] if step.get("id") == "deploy")
    assert deploy["uses"] == "./"
    # The dry run names its local image; the release runs as a released version does.
    assert deploy["env"]["ECS_DEPLOY_ACTION_IMAGE"] == (
        "${{ inputs.released != 'true' && inputs.image || '' }}"
    )
    cli = next(step for step in smoke["runs"]["steps"] if step.get("id") == "deploy-cli")
    assert cli["uses"] == "./"
    assert cli["env"]["ECS_DEPLOY_ACTION_ENGINE"] == "cli"


def test_the_release_smoke_test_goes_through_the_release_file() -> None:
    """The smoke test runs what a released version runs: action-release.env written as the
    release job writes it (scripts/release.py release-env), the pull by digest, the wheel."""
    release = _load(REPO / ".github" / "workflows" / "release.yml")
    smoke = release["jobs"]["smoke"]
    assert "dist" in smoke["needs"]
    steps = smoke["steps"]
    (write,) = [step for step in steps if "release.py release-env" in step.get("run", "")]
    (run,) = [step for step in steps if step.get("uses") == "./.github/actions/smoke-test"]
    assert steps.index(write) < steps.index(run)
    assert run["with"]["released"] == "true"
    assert run["with"]["cli-wheels"]
