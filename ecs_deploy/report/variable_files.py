"""The outputs as environment variables for other CI platforms: shell exports and a dotenv report.

A process cannot set its parent shell's variables, so both are files the platform reads:
- CodeBuild exports variables of the build shell named under the buildspec's
  `env: exported-variables` ("Build specification reference for CodeBuild",
  https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html); a buildspec
  sources the exports file (`. ./ecs-deploy.exports`) so that the shell has them.
- GitLab reads `artifacts: reports: dotenv` (https://docs.gitlab.com/ci/yaml/artifacts_reports/
  #artifactsreportsdotenv): `NAME=value` lines, names of ASCII letters, digits and `_`, no
  multi-line values, no quoting or escapes (quotes are kept as written), no empty lines or
  comments, at most 5 KB by default (the `dotenv_size` instance limit, 5120 bytes) and a limit
  on the number of variables (20 on some plans). A file over a limit fails the job's artifact
  upload, so the long JSON outputs are left out, with a warning, when they would not fit.

Both files are replaced, not appended to: each holds one run's outputs. Names are the output's,
upper-cased, `-` as `_`, prefixed `ECS_DEPLOY_` so that they clash with nothing a job sets.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Callable, Mapping
from pathlib import Path

PREFIX = "ECS_DEPLOY_"
DOTENV_MAX_BYTES = 5 * 1024
# The outputs that may be long (one object per service or task): in a dotenv report only
# when the whole file stays within GitLab's default size limit.
_LONG = ("services", "tasks", "run-task-arn")
_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")

Warn = Callable[[str], None]


def variable_name(output: str) -> str:
    name = PREFIX + output.upper().replace("-", "_")
    if not _NAME.fullmatch(name):
        raise ValueError(f"output {output!r} does not make a variable name")
    return name


def write_exports(path: Path, outputs: Mapping[str, str]) -> None:
    """`export NAME='value'` lines for a POSIX shell to source; every output, empty ones too."""
    lines = [
        f"export {variable_name(name)}={shlex.quote(value)}" for name, value in outputs.items()
    ]
    _replace(path, "\n".join(lines) + "\n")


def dotenv_text(outputs: Mapping[str, str], warn: Warn) -> str:
    """GitLab's dotenv lines: short outputs first, long ones while the file stays in bounds."""
    lines: list[str] = []
    left_out: list[str] = []
    ordered = [n for n in outputs if n not in _LONG] + [n for n in outputs if n in _LONG]
    for name in ordered:
        value = outputs[name]
        if not value:
            continue  # nothing to pass on; a later job sees the variable unset
        if "\n" in value or "\r" in value:
            left_out.append(name)  # GitLab takes no multi-line value
            continue
        line = f"{variable_name(name)}={value}"
        size = sum(len(existing.encode()) + 1 for existing in (*lines, line))
        if size > DOTENV_MAX_BYTES:
            left_out.append(name)
            continue
        lines.append(line)
    if left_out:
        warn(
            f"dotenv report: left out {', '.join(left_out)} (GitLab takes at most "
            f"{DOTENV_MAX_BYTES} bytes and no multi-line value); see the log for them"
        )
    return "".join(line + "\n" for line in lines)


def write_dotenv(path: Path, outputs: Mapping[str, str], warn: Warn) -> None:
    _replace(path, dotenv_text(outputs, warn))


def _replace(path: Path, text: str) -> None:
    """Written next to the file and renamed over it: a reader never sees half a file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
