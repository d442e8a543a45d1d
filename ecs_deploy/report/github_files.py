"""Append to the files GitHub gives a step: $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path


def append_outputs(path: Path, outputs: Mapping[str, str]) -> None:
    """`name=value` lines; multi-line values use the heredoc form with an unguessable delimiter."""
    lines = []
    for name, value in outputs.items():
        if "\n" in value or "\r" in value:
            delimiter = f"ghadelimiter_{secrets.token_hex(8)}"
            lines.append(f"{name}<<{delimiter}\n{value}\n{delimiter}")
        else:
            lines.append(f"{name}={value}")
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def append_summary(path: Path, markdown: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(markdown.rstrip("\n") + "\n")
