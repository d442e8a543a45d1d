"""action.yml's inputs, its env: block and the README's table are the declaration's."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from ecs_deploy.config.declared_inputs import INPUTS

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / "scripts" / "gen-inputs.py"


def _check(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--check", "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _copy(tmp_path: Path) -> Path:
    for name in ("action.yml", "README.md"):
        shutil.copy(REPO / name, tmp_path / name)
    return tmp_path


def test_the_repository_is_up_to_date() -> None:
    checked = _check(REPO)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_an_edited_description_in_action_yml_is_drift(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    action = root / "action.yml"
    action.write_text(action.read_text().replace("Cluster name or ARN.", "The cluster.", 1))
    checked = _check(root)
    assert checked.returncode == 1
    assert "-      (amazon-ecs-deploy-task-definition) The cluster." in checked.stdout
    assert "+      (amazon-ecs-deploy-task-definition) Cluster name or ARN." in checked.stdout
    assert "run scripts/gen-inputs.py --write" in checked.stderr


def test_a_missing_readme_row_is_drift_and_write_restores_it(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    readme = root / "README.md"
    lines = readme.read_text().splitlines(keepends=True)
    readme.write_text("".join(line for line in lines if not line.startswith("| `propagate-tags`")))
    assert _check(root).returncode == 1
    subprocess.run(
        [sys.executable, str(SCRIPT), "--write", "--root", str(root)], check=True, timeout=60
    )
    assert readme.read_text() == (REPO / "README.md").read_text()
    assert _check(root).returncode == 0


def test_action_yml_lists_every_declared_input_in_order() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert list(action["inputs"]) == [spec.name for spec in INPUTS]


def test_readme_has_one_row_per_input() -> None:
    text = (REPO / "README.md").read_text()
    table = text.split("BEGIN generated inputs", 1)[1].split("END generated inputs", 1)[0]
    rows = [
        line.split("|")[1].strip().strip("`")
        for line in table.splitlines()
        if line.startswith("| `")
    ]
    assert rows == [spec.name for spec in INPUTS]
