"""Run entrypoint.py the way GitHub runs the action: INPUT_* env, output and summary files."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class ActionRun:
    exit_code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str


def parse_outputs(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        name, sep, rest = line.partition("<<")
        if sep and "=" not in name:
            values[name] = "\n".join(iter(lines.__next__, rest))
        else:
            key, _, value = line.partition("=")
            values[key] = value
    return values


def run_action(
    endpoint_url: str,
    workspace: Path,
    inputs: dict[str, str],
    *,
    github_actions: bool = True,
    args: list[str] | None = None,
    timeout: float = 120,
) -> ActionRun:
    """`inputs` use the action's names (hyphens kept, as GitHub does)."""
    file_commands = workspace / ".file_commands"
    file_commands.mkdir(exist_ok=True)
    output_file, summary_file = file_commands / "output", file_commands / "summary"
    output_file.write_text("")
    summary_file.write_text("")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("INPUT_", "AWS_", "GITHUB_"))
    }
    env.update(
        {
            "AWS_ENDPOINT_URL": endpoint_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_OUTPUT": str(output_file),
            "GITHUB_STEP_SUMMARY": str(summary_file),
        }
    )
    if github_actions:
        env["GITHUB_ACTIONS"] = "true"
    env.update({f"INPUT_{name.upper()}": value for name, value in inputs.items()})
    completed = subprocess.run(
        [sys.executable, str(REPO / "entrypoint.py"), *(args or [])],
        env=env,
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return ActionRun(
        exit_code=completed.returncode,
        stdout=completed.stdout,
        stderr=completed.stderr,
        outputs=parse_outputs(output_file.read_text()),
        summary=summary_file.read_text(),
    )
