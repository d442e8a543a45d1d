"""`python -m ecs_deploy.emulator`: prints the endpoint, seeds, stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import boto3
from botocore.config import Config


def test_run_seed_and_sigterm(tmp_path: Path) -> None:
    app_file = tmp_path / ".ecs-deploy.yml"
    app_file.write_text("cluster: demo\nservices:\n  - name: web\n    containers: [app]\n")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ecs_deploy.emulator",
            "--seed",
            str(app_file),
            "--tick",
            "0.02",
            "--seconds-per-ecs-minute",
            "0.4",
            "--fault",
            "repo/app:bad=crash",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        assert first.startswith("AWS_ENDPOINT_URL=http://127.0.0.1:")
        endpoint = first.split("=", 1)[1]
        seeded = [process.stdout.readline().strip() for _ in range(3)]
        assert seeded[0] == "seeded: cluster demo"
        assert seeded[2].startswith("seeded: service web -> arn:aws:ecs:")
        ecs = boto3.client(
            "ecs",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"max_attempts": 1}),
        )
        (service,) = ecs.describe_services(cluster="demo", services=["web"])["services"]
        assert service["runningCount"] == 2
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=10)
    assert process.returncode == 0, err


def test_a_bad_fault_exits_2() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ecs_deploy.emulator", "--fault", "app=explode"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "unknown fault" in done.stderr
