#!/usr/bin/env python3
"""How long after ECS marks a deployment FAILED does each deploy tool exit, and does it say so?

The crash case: a service with the circuit breaker on (enable + rollback), desired count 2, is
updated to an image whose container crashes. ECS (here the local emulator) trips the breaker,
marks our deployment FAILED and rolls back to the last COMPLETED revision. For each tool, on a
freshly seeded emulator with the same settings, this measures the seconds from the emulator
marking our deployment FAILED (`Emulator.history`) to the tool's process exit, its exit code,
and whether it reported failure (a non-zero exit).

Tools: (a) this project's entrypoint.py, (b) fabfuel's `ecs deploy` 1.17.0 (install it with
scripts/install-peers.sh), (c) the official Node action (said why it is not run here).

Run from the repository root:  .venv/bin/python benchmarks/failure_latency.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from a checkout

from ecs_deploy.emulator import Emulator, Fault  # noqa: E402

CLUSTER, SERVICE, CONTAINER = "bench", "web", "app"
BAD_IMAGE = "repo/app:bad"
APP_FILE = f"cluster: {CLUSTER}\nservices:\n  - name: {SERVICE}\n    containers: [{CONTAINER}]\n"
FABFUEL = Path(os.environ.get("FABFUEL_ECS", ROOT / ".cache/peers/fabfuel/bin/ecs"))
OFFICIAL = "aws-actions/amazon-ecs-deploy-task-definition"


@dataclass(frozen=True)
class Measurement:
    tool: str
    exit_code: int | None  # None: not run
    failed_after: float | None  # seconds from the tool's start to ECS marking FAILED
    exited_after: float  # seconds from the tool's start to its exit
    polled_after: float | None  # seconds from the tool's start to its last DescribeServices
    note: str = ""

    @property
    def latency(self) -> float | None:
        """Seconds from ECS marking our deployment FAILED to the tool's exit."""
        return None if self.failed_after is None else self.exited_after - self.failed_after

    @property
    def poll_latency(self) -> float | None:
        """Seconds from FAILED to the tool's last DescribeServices (its verdict's poll)."""
        if self.failed_after is None or self.polled_after is None:
            return None
        return self.polled_after - self.failed_after

    @property
    def reported_failure(self) -> bool:
        return self.exit_code not in (0, None)


Command = Callable[[Emulator], list[str]]


def ours(_: Emulator) -> list[str]:
    return [
        sys.executable,
        str(ROOT / "entrypoint.py"),
        "deploy",
        "--cluster",
        CLUSTER,
        "--service",
        SERVICE,
        "--container-name",
        CONTAINER,
        "--image",
        BAD_IMAGE,
        "--poll-interval",
        "5s",
        "--timeout",
        "10m",
    ]


def fabfuel(_: Emulator) -> list[str]:
    # Its defaults (sleep 1 s between checks, deregister the old revision) plus a 600 s
    # timeout and its own rollback flag.
    return [
        str(FABFUEL),
        "deploy",
        CLUSTER,
        SERVICE,
        "--image",
        CONTAINER,
        BAD_IMAGE,
        "--timeout",
        "600",
        "--rollback",
    ]


def measure(emulator: Emulator, tool: str, command: Command, work: Path) -> Measurement:
    emulator.reset()
    emulator.seed(work / ".ecs-deploy.yml")
    emulator.faults.set_for_image(BAD_IMAGE, Fault.CRASH)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(work)),
        "AWS_ENDPOINT_URL": emulator.endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": emulator.region,
        "AWS_DEFAULT_REGION": emulator.region,
        "PYTHONUNBUFFERED": "1",
    }
    started = time.monotonic()
    done = subprocess.run(
        command(emulator), cwd=work, env=env, capture_output=True, text=True, timeout=900
    )
    exited = time.monotonic()
    failed = _failed_at(emulator, started)
    polls = [c.at for c in emulator.calls.operations("ecs") if c.operation == "DescribeServices"]
    tail = (done.stdout + done.stderr).strip().splitlines()[-1:] or [""]
    return Measurement(
        tool,
        done.returncode,
        None if failed is None else failed - started,
        exited - started,
        max(polls) - started if polls else None,
        note=f"last line: {tail[0][:90]}",
    )


def _failed_at(emulator: Emulator, since: float) -> float | None:
    """When the first deployment created after `since` was marked FAILED."""
    changes = [c for c in emulator.history if c.at >= since and c.service == SERVICE]
    ours_id = next(
        (c.deployment_id for c in changes if c.field == "status" and c.value == "PRIMARY"), None
    )
    return next(
        (
            c.at
            for c in changes
            if c.deployment_id == ours_id and c.field == "rolloutState" and c.value == "FAILED"
        ),
        None,
    )


def official_action_status() -> str:
    if shutil.which("node") is None:
        reason = "no Node.js runtime here"
    else:
        reason = "its dist/ is not installed and only package registries are reachable"
    return (
        f"(c) {OFFICIAL}: not run ({reason}); it also needs the GitHub Actions runtime "
        "(@actions/core inputs and outputs)."
    )


def table(rows: list[Measurement]) -> str:
    lines = [
        f"{'tool':<28} {'exit':>4} {'failure reported':>16} {'FAILED at':>9} "
        f"{'exit at':>8} {'FAILED->last poll':>17} {'FAILED->exit':>12}",
    ]
    for row in rows:
        failed = "-" if row.failed_after is None else f"{row.failed_after:.1f}s"
        latency = "-" if row.latency is None else f"{row.latency:.1f}s"
        poll = "-" if row.poll_latency is None else f"{row.poll_latency:.1f}s"
        lines.append(
            f"{row.tool:<28} {row.exit_code!s:>4} {'yes' if row.reported_failure else 'NO':>16} "
            f"{failed:>9} {row.exited_after:>7.1f}s {poll:>17} {latency:>12}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        epilog="Times are wall-clock seconds on this machine; compare the ratio, not the figures.",
    )
    parser.add_argument(
        "--seconds-per-ecs-minute",
        type=float,
        default=10.0,
        metavar="S",
        help="real seconds one emulated ECS minute takes (default: %(default)s: the breaker "
        "trips about 13 s after the update and the rollback takes about 10 s more; real "
        "Fargate takes minutes for each)",
    )
    parser.add_argument(
        "--tick",
        type=float,
        default=0.1,
        metavar="S",
        help="seconds between scheduler ticks (default: %(default)s)",
    )
    parser.add_argument("--skip-fabfuel", action="store_true", help="measure this project only")
    args = parser.parse_args(argv)

    tools: list[tuple[str, Command]] = [("(a) ecs-deploy (this)", ours)]
    if args.skip_fabfuel:
        pass
    elif FABFUEL.is_file():
        tools.append(("(b) fabfuel ecs deploy 1.17", fabfuel))
    else:
        print(f"(b) fabfuel: not run ({FABFUEL} missing; run scripts/install-peers.sh)")

    emulator = Emulator(tick_seconds=args.tick, seconds_per_ecs_minute=args.seconds_per_ecs_minute)
    print(
        f"emulator: tick {args.tick}s, one ECS minute = {args.seconds_per_ecs_minute}s "
        f"({emulator.ecs_seconds_per_tick:g} ECS s per tick); service desired 2, "
        f"breaker enable+rollback; image {BAD_IMAGE} crashes",
        flush=True,
    )
    rows: list[Measurement] = []
    with emulator, tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        (work / ".ecs-deploy.yml").write_text(APP_FILE)
        for name, command in tools:
            print(f"running {name} ...", flush=True)
            rows.append(measure(emulator, name, command, work))
    print()
    print(table(rows))
    for row in rows:
        print(f"  {row.tool}: {row.note}")
    latencies = {row.tool: row.latency for row in rows}
    ours_latency = latencies.get(tools[0][0])
    for row in rows[1:]:
        if row.latency is not None and ours_latency:
            print(f"ratio {row.tool} / (a): {row.latency / ours_latency:.1f}x")
    print(
        "A tool that polls rolloutState exits within one poll interval of FAILED; one that "
        "waits for the service to settle exits only after the rollback completes, so its "
        "figure grows with the rollback's duration (real ECS: minutes)."
    )
    print(official_action_status())
    return 0


if __name__ == "__main__":
    sys.exit(main())
