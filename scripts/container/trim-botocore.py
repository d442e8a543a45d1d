#!/usr/bin/env python3
"""Delete botocore's data for the services the action never calls (run in the image build).

botocore carries a model for every AWS service (about 28 MB of compressed JSON); the action
needs the handful in ecs_deploy/aws/services.py. The top-level files (endpoints, partitions,
retry and default configuration) stay. Fails when a listed service has no data, so a typo in
the list breaks the build rather than a deploy.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import botocore

from ecs_deploy.aws.services import BOTOCORE_SERVICES


def _size(path: Path) -> int:
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file())


def main() -> int:
    data = Path(botocore.__file__).parent / "data"
    before = _size(data)
    present = {entry.name for entry in data.iterdir() if entry.is_dir()}
    missing = sorted(BOTOCORE_SERVICES - present)
    if missing:
        print(f"trim-botocore: no botocore data for {', '.join(missing)}", file=sys.stderr)
        return 1
    for name in sorted(present - BOTOCORE_SERVICES):
        shutil.rmtree(data / name)
    after = _size(data)
    kept = ", ".join(sorted(BOTOCORE_SERVICES))
    print(f"trim-botocore: kept {kept}: {before / 1e6:.1f} MB -> {after / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
