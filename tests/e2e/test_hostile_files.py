"""Hostile or mistaken files are refused at once: exit 2 with a few MB, whatever their size.

Each run is measured on its own, against a baseline run of the same action refusing a tiny
file: the bound is what reading costs on top. A small wrapper starts the action and reads its
rusage with os.wait4: started from pytest directly, the child's peak would include pytest's own
memory (the kernel records the parent's high-water mark when the child execs).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ecs_deploy.config.documents import MAX_FILE_BYTES, MAX_VALUES
from tests.e2e.action import prepare_run

# Runs the command in argv[2:], writes its peak RSS (KiB) to argv[1], exits with its exit code.
PEAK_WRAPPER = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
with open(sys.argv[1], "w") as handle:
    handle.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""
EXTRA_MB = 25  # what refusing a hostile file may cost above refusing a tiny one
LEVELS = zip("abcdefgh", "bcdefghi", strict=True)
ALIAS_BOMB = "\n".join(
    [
        "version: v1",
        'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
        *(f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]" for p, n in LEVELS),
        "services:\n  - name: web\n    containers: *i",
    ]
)  # 9^9 = 387 million strings once expanded; before, > 2.4 GB of memory and no output


@dataclass(frozen=True)
class Measured:
    exit_code: int
    stdout: str
    peak_mb: float


@pytest.fixture
def measured(ecs_emulator: Any, workspace: Path) -> Callable[[dict[str, str]], Measured]:
    def run(inputs: dict[str, str]) -> Measured:
        prepared = prepare_run(ecs_emulator.endpoint_url, workspace, inputs)
        peak = workspace / ".peak"
        completed = subprocess.run(
            [sys.executable, "-c", PEAK_WRAPPER, str(peak), *prepared.command],
            env=prepared.env,
            cwd=workspace,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        kib = int(peak.read_text())  # ru_maxrss is in KiB on Linux
        return Measured(completed.returncode, completed.stdout + completed.stderr, kib / 1024)

    return run


@pytest.fixture
def baseline_mb(measured: Callable[[dict[str, str]], Measured], workspace: Path) -> float:
    (workspace / "tiny.yml").write_text("version: v1\n")
    baseline = measured({"config": "tiny.yml"})
    assert baseline.exit_code == 2, baseline.stdout
    return baseline.peak_mb


def write_big_app_file(path: Path, size: int) -> None:
    with path.open("w") as handle:
        handle.write("version: v1\ncluster: demo\nservices:\n")
        index = 0
        while handle.tell() < size:
            handle.write(f"  - name: service-{index}\n    containers: [app]\n")
            index += 1


@pytest.mark.parametrize(
    ("name", "write", "expected"),
    [
        ("bomb.yml", lambda p: p.write_text(ALIAS_BOMB), f"more than {MAX_VALUES} values"),
        (
            "big.yml",
            lambda p: write_big_app_file(p, 20 * 1024 * 1024),
            f"larger than {MAX_FILE_BYTES // 1024} KiB",
        ),
        (
            "dup.yml",
            lambda p: p.write_text(
                "version: v1\ncluster: demo\nservices: [{name: web}]\ncluster: prod\n"
            ),
            "'cluster' twice in one mapping (lines 2 and 4)",
        ),
        (
            "dup.json",
            lambda p: p.write_text('{"version": "v1",\n"cluster": "a",\n"cluster": "b"}'),
            "'cluster' twice in one object (lines 2 and 3)",
        ),
    ],
    ids=["alias bomb", "20 MB", "duplicate key yaml", "duplicate key json"],
)
def test_hostile_application_files_are_refused_with_bounded_memory(
    app: Any,
    measured: Callable[[dict[str, str]], Measured],
    baseline_mb: float,
    workspace: Path,
    name: str,
    write: Callable[[Path], None],
    expected: str,
) -> None:
    write(workspace / name)
    run = measured({"config": name})
    assert run.exit_code == 2, run.stdout
    assert "Traceback" not in run.stdout
    errors = [line for line in run.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and expected in errors[0], run.stdout
    assert run.peak_mb < baseline_mb + EXTRA_MB, (run.peak_mb, baseline_mb)
    assert app.calls.operations() == []  # refused before any AWS call


def test_a_hostile_task_definition_file_is_refused_too(
    app: Any, measured: Callable[[dict[str, str]], Measured], baseline_mb: float, workspace: Path
) -> None:
    (workspace / "bomb.yaml").write_text(ALIAS_BOMB.replace("services:", "containerDefinitions:"))
    run = measured(
        {
            "service": "web",
            "cluster": "demo",
            "task-definition": "bomb.yaml",
            "container-name": "app",
            "image": "r/w:2",
        }
    )
    assert run.exit_code == 2, run.stdout
    assert f"more than {MAX_VALUES} values" in run.stdout
    assert run.peak_mb < baseline_mb + EXTRA_MB, (run.peak_mb, baseline_mb)
    assert app.calls.mutating() == []
