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


@dataclass(frozen=True)
class PreparedRun:
    command: list[str]
    env: dict[str, str]
    workspace: Path
    output_file: Path
    summary_file: Path

    def finish(self, exit_code: int, stdout: str, stderr: str) -> ActionRun:
        return ActionRun(
            exit_code=exit_code,
            stdout=stdout,
            stderr=stderr,
            outputs=parse_outputs(self.output_file.read_text()),
            summary=self.summary_file.read_text(),
        )


def prepare_run(
    endpoint_url: str,
    workspace: Path,
    inputs: dict[str, str],
    *,
    github_actions: bool = True,
    args: list[str] | None = None,
    extra_env: dict[str, str] | None = None,
) -> PreparedRun:
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
    env.update(extra_env or {})  # what a CI platform sets (GITHUB_SHA, CI_JOB_URL, ...)
    command = [sys.executable, str(REPO / "entrypoint.py"), *(args or [])]
    return PreparedRun(command, env, workspace, output_file, summary_file)


def run_action(
    endpoint_url: str,
    workspace: Path,
    inputs: dict[str, str],
    *,
    github_actions: bool = True,
    args: list[str] | None = None,
    timeout: float = 120,
    extra_env: dict[str, str] | None = None,
) -> ActionRun:
    prepared = prepare_run(
        endpoint_url,
        workspace,
        inputs,
        github_actions=github_actions,
        args=args,
        extra_env=extra_env,
    )
    completed = subprocess.run(
        prepared.command,
        env=prepared.env,
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return prepared.finish(completed.returncode, completed.stdout, completed.stderr)


class BackgroundRun:
    """The action running in the background, for tests that act on AWS while it waits."""

    def __init__(self, prepared: PreparedRun) -> None:
        self._prepared = prepared
        self._process = subprocess.Popen(
            prepared.command,
            env=prepared.env,
            cwd=prepared.workspace,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait(self, timeout: float = 120) -> ActionRun:
        stdout, stderr = self._process.communicate(timeout=timeout)
        return self._prepared.finish(self._process.returncode, stdout, stderr)
