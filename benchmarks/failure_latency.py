#!/usr/bin/env python3
"""How long after ECS's rollback does each deploy tool exit, and does it say what happened?

The crash case: a service with the circuit breaker on (enable + rollback), desired count 2, is
updated to an image whose container crashes. ECS (here the local emulator) trips the breaker,
marks our deployment FAILED and rolls back to the last COMPLETED revision, in either of the two
shapes AWS shows (`--rollback-shape`): a new deployment of the old revision, or the last
COMPLETED deployment re-activated (IN_PROGRESS again). Either way our FAILED deployment leaves
deployments[] as soon as none of its tasks runs. For each tool and shape, on a freshly seeded
emulator, this measures the seconds from ECS marking our deployment FAILED and from ECS's
rollback completing (`Emulator.history`) to the tool's exit, its exit code, and whether it
reported failure (a non-zero exit). ecs-deploy says `rolled_back` once the rollback completed,
so its figure to watch is "rollback->exit": at most two polls (default poll: 5 s).

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

from ecs_deploy.emulator import Emulator, EmulatorModes, Fault  # noqa: E402

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
    rolled_back_after: float | None = None  # seconds from the tool's start to the rollback done
    note: str = ""

    @property
    def rollback_latency(self) -> float | None:
        """Seconds from ECS's rollback completing to the tool's exit."""
        if self.rolled_back_after is None:
            return None
        return self.exited_after - self.rolled_back_after

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


def measure(
    emulator: Emulator, tool: str, command: Command, work: Path, modes: EmulatorModes
) -> Measurement:
    emulator.reset()
    emulator.modes = modes
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
    failed, rolled_back = _failed_and_rolled_back_at(emulator, started)
    polls = [c.at for c in emulator.calls.operations("ecs") if c.operation == "DescribeServices"]
    tail = (done.stdout + done.stderr).strip().splitlines()[-1:] or [""]
    return Measurement(
        tool,
        done.returncode,
        None if failed is None else failed - started,
        exited - started,
        max(polls) - started if polls else None,
        None if rolled_back is None else rolled_back - started,
        note=f"last line: {tail[0][:90]}",
    )


def _failed_and_rolled_back_at(
    emulator: Emulator, since: float
) -> tuple[float | None, float | None]:
    """When our deployment (the first created after `since`) was marked FAILED, and when
    another deployment (ECS's rollback, new or re-activated) then reached COMPLETED."""
    changes = [c for c in emulator.history if c.at >= since and c.service == SERVICE]
    ours_id = next(
        (
            c.deployment_id
            for c in changes
            if c.field == "rolloutState" and c.value == "IN_PROGRESS"
        ),
        None,
    )
    failed = next(
        (
            c.at
            for c in changes
            if c.deployment_id == ours_id and c.field == "rolloutState" and c.value == "FAILED"
        ),
        None,
    )
    rolled_back = next(
        (
            c.at
            for c in changes
            if failed is not None
            and c.at >= failed
            and c.deployment_id not in ("", ours_id)
            and c.field == "rolloutState"
            and c.value == "COMPLETED"
        ),
        None,
    )
    return failed, rolled_back


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
        f"{'tool':<36} {'exit':>4} {'failure reported':>16} {'FAILED at':>9} "
        f"{'rollback done':>13} {'exit at':>8} {'FAILED->exit':>12} {'rollback->exit':>14}",
    ]
    for row in rows:
        failed = "-" if row.failed_after is None else f"{row.failed_after:.1f}s"
        done = "-" if row.rolled_back_after is None else f"{row.rolled_back_after:.1f}s"
        latency = "-" if row.latency is None else f"{row.latency:.1f}s"
        after = "-" if row.rollback_latency is None else f"{row.rollback_latency:.1f}s"
        lines.append(
            f"{row.tool:<36} {row.exit_code!s:>4} {'yes' if row.reported_failure else 'NO':>16} "
            f"{failed:>9} {done:>13} {row.exited_after:>7.1f}s {latency:>12} {after:>14}"
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
    parser.add_argument(
        "--rollback-shape",
        choices=("new", "reuse", "both"),
        default="both",
        help="how ECS's breaker rolls back (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    shapes = ("new", "reuse") if args.rollback_shape == "both" else (args.rollback_shape,)

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
        for shape in shapes:
            for name, command in tools:
                label = f"{name} [{shape}]"
                print(f"running {label} ...", flush=True)
                rows.append(measure(emulator, label, command, work, EmulatorModes(rollback=shape)))
    print()
    print(table(rows))
    for row in rows:
        print(f"  {row.tool}: {row.note}")
    print(
        "ecs-deploy exits with rolled_back (exit 1) within two polls of ECS's rollback "
        "completing; a tool that waits for the service to settle exits then too, but may call "
        "it a success (fabfuel #185); one that waits for our FAILED deployment in "
        "deployments[] may never see it (it drains at once when none of its tasks ran)."
    )
    print(official_action_status())
    return 0


if __name__ == "__main__":
    sys.exit(main())
