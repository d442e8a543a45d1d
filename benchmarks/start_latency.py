#!/usr/bin/env python3
"""How long from a process (or an action step) starting to its first AWS request?

A stand-in AWS endpoint on 127.0.0.1 records when the first request arrives and answers every
request with an error (ClusterNotFoundException), so each run ends right after it. Measured,
each over --runs runs (median, min, max of wall seconds; CPU seconds of the process too,
which load on the machine changes less than wall time):

  cli       `python -I -m ecs_deploy.container` from this environment (the packaged CLI, as
            macOS and Windows runners run it), process start -> first request
  image     the image's entrypoint, from the container's process start (a shell in the
            container prints the time, then execs the ENTRYPOINT) -> first request
  image-run `<engine> run IMAGE` -> first request (adds creating the container)
  released  the action step of a released version: scripts/run-action.sh with an
            action-release.env naming the image by digest in a registry on 127.0.0.1
            (--registry), the image removed before each run so the pull is included, `docker`
            being the engine; step start -> first request. On a GitHub runner the pull comes
            from GHCR over the network: add (compressed size / bandwidth).
  official  aws-actions/amazon-ecs-deploy-task-definition's dist/index.js under Node
            (--official DIR: a checkout of its release), process start -> first request

Run from the repository root:
  .venv/bin/python benchmarks/start_latency.py                       # cli only
  .venv/bin/python benchmarks/start_latency.py --image localhost/ecs-deploy:test \\
      --registry 127.0.0.1:5000 --official .cache/peers/official
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))  # run as a script from a checkout

from podman_env import podman_env  # noqa: E402


class FirstRequest(http.server.BaseHTTPRequestHandler):
    """Records the arrival time of the first request; answers every request with an error."""

    arrivals: ClassVar[list[float]] = []

    def do_POST(self) -> None:
        FirstRequest.arrivals.append(time.time())
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"__type": "ClusterNotFoundException", "message": "bench"}).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass(frozen=True)
class Sample:
    to_first_request: float
    cpu: float


def _endpoint() -> str:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FirstRequest)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def _env(endpoint: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "AWS_"))}
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_REGION="us-east-1",
        AWS_MAX_ATTEMPTS="1",
        INPUT_CLUSTER="bench",
        INPUT_SERVICE="web",
        INPUT_IMAGE_TAG="v2",
        INPUT_CONTAINER_NAME="app",
    )
    env.update(extra)
    return env


def _measure(
    command: Sequence[str],
    env: dict[str, str],
    started: Callable[[str], float] | None = None,
) -> Sample:
    """One run; `started` turns the process's stdout into its start time (default: spawned)."""
    FirstRequest.arrivals.clear()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    spawned = time.time()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if not FirstRequest.arrivals:
        raise SystemExit(f"no AWS request from {command[0]}:\n{done.stdout}\n{done.stderr}")
    start = spawned if started is None else started(done.stdout)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Sample(FirstRequest.arrivals[0] - start, cpu)


def _printed_start(stdout: str) -> float:
    return float(stdout.splitlines()[0])


def _row(name: str, what: str, samples: list[Sample]) -> str:
    walls = [s.to_first_request for s in samples]
    cpu = statistics.median(s.cpu for s in samples)
    return (
        f"| {name} | {what} | {statistics.median(walls):.3f} | {min(walls):.3f} | "
        f"{max(walls):.3f} | {cpu:.3f} |"
    )


def _entrypoint(engine: str, image: str, env: dict[str, str]) -> list[str]:
    inspect = subprocess.run(
        [engine, "image", "inspect", "--format", "{{json .Config.Entrypoint}}", image],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return list(json.loads(inspect.stdout))


def _bench_image(args: argparse.Namespace, endpoint: str) -> list[str]:
    engine_env = podman_env() if args.engine == "podman" else dict(os.environ)
    entrypoint = " ".join(_entrypoint(args.engine, args.image, engine_env))
    passed = [f"--env={name}" for name in _env(endpoint) if name.startswith(("INPUT_", "AWS_"))]
    base = [args.engine, "run", "--rm", "--network=host", *passed]
    env = {**engine_env, **_env(endpoint)}
    # `date` then exec: the same process, so the printed time is the entrypoint's start.
    inside = [*base, "--entrypoint", "sh", args.image, "-c", f"date +%s.%N; exec {entrypoint}"]
    rows = [
        _row(
            "image",
            "container process start -> first request",
            [_measure(inside, env, _printed_start) for _ in range(args.runs)],
        ),
        _row(
            "image-run",
            f"`{args.engine} run` -> first request",
            [_measure([*base, args.image], env) for _ in range(args.runs)],
        ),
    ]
    if args.registry:
        rows.append(_bench_released(args, endpoint, engine_env))
    return rows


def _bench_released(args: argparse.Namespace, endpoint: str, engine_env: dict[str, str]) -> str:
    """scripts/run-action.sh as a released version runs it: pull by digest, then run."""
    engine = args.engine
    remote = f"{args.registry}/ecs-deploy:bench"
    with tempfile.TemporaryDirectory() as scratch:
        digest_file = Path(scratch) / "digest"
        push = [engine, "push", "--tls-verify=false", "--digestfile", str(digest_file)]
        subprocess.run([*push, args.image, remote], check=True, env=engine_env, capture_output=True)
        digest = digest_file.read_text().strip()
    with tempfile.TemporaryDirectory() as scratch:
        temp = Path(scratch)
        action = temp / "action"
        shutil.copytree(ROOT / "scripts", action / "scripts")
        (action / "action-release.env").write_text(
            f"ECS_DEPLOY_VERSION=0.0.0\nECS_DEPLOY_IMAGE={args.registry}/ecs-deploy@{digest}\n"
            f"ECS_DEPLOY_WHEEL_SHA256={'0' * 64}\n"
        )
        shim = temp / "bin"
        shim.mkdir()
        (shim / "docker").write_text(  # the engine as `docker`; the registry is plain HTTP
            "#!/bin/sh\n"
            f'if [ "$1" = pull ]; then shift; exec {engine} pull --tls-verify=false "$@"; fi\n'
            # The stand-in endpoint listens on the host's loopback.
            f'if [ "$1" = run ]; then shift; exec {engine} run --network=host "$@"; fi\n'
            f'exec {engine} "$@"\n'
        )
        (shim / "docker").chmod(0o755)
        for name in ("workspace", "runner_temp"):
            (temp / name).mkdir()
        env = {
            **engine_env,
            **_env(endpoint),
            "PATH": f"{shim}:{engine_env['PATH']}",
            "GITHUB_ACTION_PATH": str(action),
            "GITHUB_WORKSPACE": str(temp / "workspace"),
            "RUNNER_TEMP": str(temp / "runner_temp"),
        }
        samples = []
        for _ in range(args.runs):
            subprocess.run(
                [engine, "rmi", "--force", f"{args.registry}/ecs-deploy@{digest}"],
                env=engine_env,
                capture_output=True,
                check=False,
            )
            samples.append(_measure(["bash", str(action / "scripts/run-action.sh")], env))
    # `rmi --force` untagged the image too (one id): the last run pulled it back.
    subprocess.run(
        [engine, "tag", f"{args.registry}/ecs-deploy@{digest}", args.image],
        env=engine_env,
        capture_output=True,
        check=True,
    )
    return _row("released", "action step start (pull by digest + run) -> first request", samples)


def _bench_official(args: argparse.Namespace, endpoint: str) -> str:
    node = shutil.which("node")
    if node is None:
        raise SystemExit("--official needs node")
    with tempfile.TemporaryDirectory() as scratch:
        taskdef = Path(scratch) / "taskdef.json"
        taskdef.write_text(
            json.dumps(
                {
                    "family": "web",
                    "containerDefinitions": [
                        {"name": "app", "image": "repo/app:v2", "memory": 128}
                    ],
                }
            )
        )
        env = _env(
            endpoint,
            **{
                "INPUT_TASK-DEFINITION": str(taskdef),
                "INPUT_SERVICE": "web",
                "INPUT_CLUSTER": "bench",
            },
        )
        samples = [
            _measure([node, str(Path(args.official) / "dist/index.js")], env)
            for _ in range(args.runs)
        ]
    return _row("official", "node dist/index.js -> first request (RegisterTaskDefinition)", samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--image", help="also measure this image (built by build.sh)")
    parser.add_argument("--engine", default="podman", choices=("podman", "docker"))
    parser.add_argument("--registry", help="host:port of a registry for the released path")
    parser.add_argument("--official", help="a checkout of amazon-ecs-deploy-task-definition")
    args = parser.parse_args()

    endpoint = _endpoint()
    cli = [sys.executable, "-I", "-m", "ecs_deploy.container"]
    rows = [
        _row(
            "cli",
            "process start -> first request (DescribeClusters)",
            [_measure(cli, _env(endpoint)) for _ in range(args.runs)],
        )
    ]
    if args.image:
        rows += _bench_image(args, endpoint)
    if args.official:
        rows.append(_bench_official(args, endpoint))
    print(f"runs: {args.runs}; seconds; cpu = user+sys of the process (median)\n")
    print("| path | measured | median | min | max | cpu |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
