"""The environment podman needs here (its private configuration), for the benchmark scripts."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def podman_env() -> dict[str, str]:
    """This process's environment plus the variables scripts/container/setup-podman.sh prints
    (it installs and configures podman when needed; idempotent)."""
    setup = subprocess.run(
        [str(ROOT / "scripts/container/setup-podman.sh"), "--no-base"],
        capture_output=True,
        text=True,
        check=True,
    )
    env = dict(os.environ)
    for line in setup.stdout.splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        env[name] = value
    return env
