"""`ecs-deploy emulator`: run the local ECS emulator in the foreground until Ctrl-C/SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from ecs_deploy.errors import InputError

from .emulator import Emulator
from .faults import load_modes, parse_assignment
from .modes import EmulatorModes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--port", type=int, default=0, help="port to listen on (default: a free one)"
    )
    parser.add_argument(
        "--region", default="us-east-1", help="region to seed (default: %(default)s)"
    )
    parser.add_argument(
        "--seed", metavar="APP_FILE", type=Path, help="create what this .ecs-deploy.yml names"
    )
    parser.add_argument(
        "--tick", type=float, default=0.2, metavar="S", help="seconds between scheduler ticks"
    )
    parser.add_argument(
        "--seconds-per-ecs-minute",
        type=float,
        default=3.0,
        metavar="S",
        help="real seconds one ECS minute takes (default: %(default)s)",
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="IMAGE=MODE",
        help="make containers of IMAGE fail: crash, oom, pull-failure[:CAUSE], missing-secret, "
        "never-placed, unhealthy, keep-running, exit:N, transient-pull-failure:N[:CAUSE] or "
        "placement-delay:SECONDS[:PULL_SECONDS] (repeatable)",
    )
    parser.add_argument(
        "--container-fault",
        action="append",
        default=[],
        metavar="NAME=MODE",
        help="the same, chosen by container name (e.g. migrate=exit:1)",
    )
    parser.add_argument(
        "--faults-file", type=Path, metavar="FILE", help="faults as YAML/JSON (see docs)"
    )
    parser.add_argument(
        "--mode",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an AWS behaviour to show, e.g. rollback=reuse, event_dedup=true, "
        "service_deployment_ids=random, list_tasks=strict (repeatable; see the README)",
    )
    parser.add_argument(
        "--no-service-deployments-api",
        dest="service_deployments_api",
        action="store_false",
        help="fail List/DescribeServiceDeployments, StopServiceDeployment and "
        "DescribeServiceRevisions with UnknownOperationException (HTTP 400), like a region "
        "without them",
    )


def modes_from(args: argparse.Namespace) -> EmulatorModes:
    """The faults file's `modes:` first, then each --mode (the command line wins)."""
    modes = EmulatorModes()
    if getattr(args, "faults_file", None) is not None:
        modes = modes.with_values(load_modes(args.faults_file))
    return modes.with_assignments(getattr(args, "mode", None) or [])


def run(args: argparse.Namespace) -> int:
    emulator = Emulator(
        modes=modes_from(args),
        host=args.host,
        port=args.port,
        tick_seconds=args.tick,
        seconds_per_ecs_minute=args.seconds_per_ecs_minute,
        region=args.region,
        service_deployments_api=args.service_deployments_api,
    )
    for text in args.fault:
        image, fault = parse_assignment(text)
        emulator.faults.set_for_image(image, fault)
    for text in args.container_fault:
        name, fault = parse_assignment(text)
        emulator.faults.set_for_container(name, fault)
    if args.faults_file is not None:
        emulator.faults.load(args.faults_file)

    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    emulator.start()
    try:
        print(f"AWS_ENDPOINT_URL={emulator.endpoint_url}", flush=True)
        if args.seed is not None:
            for line in emulator.seed(args.seed).describe():
                print(f"seeded: {line}", flush=True)
        print("ready; Ctrl-C or SIGTERM stops the emulator", file=sys.stderr, flush=True)
        stopping.wait()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
        signal.signal(signal.SIGTERM, previous)
    return 0


def main(argv: list[str] | None = None, prog: str = "python -m ecs_deploy.emulator") -> int:
    parser = argparse.ArgumentParser(prog=prog, description="Run the local ECS emulator.")
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run(args)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
