#!/usr/bin/env python3
"""What the image adds on top of its base, uncompressed and compressed (as a registry stores it).

Builds nothing: measures an image built by scripts/container/build.sh (default
localhost/ecs-deploy:test, on the local base localhost/pybase that has the published image's
Python). Layers are read from `podman save` (docker-archive: one uncompressed tar per layer);
the compressed figure gzips each layer at level 6, as registries serve them (`docker push`
uses gzip). Prints the base, the image and the layers the Dockerfile adds.

Run from the repository root:
  .venv/bin/python benchmarks/image_size.py [--image IMAGE] [--base IMAGE]
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))  # run as a script from a checkout

from podman_env import podman_env  # noqa: E402

MB = 1_000_000


def _layers(image: str, env: dict[str, str]) -> list[tuple[str, int, int]]:
    """(layer id, uncompressed bytes, gzip bytes) from the base up."""
    with tempfile.TemporaryDirectory() as scratch:
        archive = Path(scratch) / "image.tar"
        subprocess.run(
            ["podman", "save", "--format", "docker-archive", "--output", str(archive), image],
            env=env,
            check=True,
            capture_output=True,
        )
        with tarfile.open(archive) as tar:
            manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
            layers = []
            for name in manifest[0]["Layers"]:
                member = tar.extractfile(name)
                assert member is not None
                data = member.read()
                layers.append((name, len(data), len(gzip.compress(data, compresslevel=6))))
    return layers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--image", default="localhost/ecs-deploy:test")
    parser.add_argument("--base", default="localhost/pybase")
    args = parser.parse_args()
    env = podman_env()

    base = _layers(args.base, env)
    image = _layers(args.image, env)
    added = image[len(base) :]
    if [layer[1] for layer in image[: len(base)]] != [layer[1] for layer in base]:
        raise SystemExit(f"{args.image} is not built on {args.base}")

    def total(layers: list[tuple[str, int, int]], column: int) -> float:
        return sum(layer[column] for layer in layers) / MB

    print(f"image {args.image} on base {args.base} (MB = 10^6 bytes)\n")
    print("| | uncompressed MB | gzip MB |")
    print("|---|---|---|")
    print(f"| base | {total(base, 1):.1f} | {total(base, 2):.1f} |")
    print(f"| added by the Dockerfile | {total(added, 1):.1f} | {total(added, 2):.1f} |")
    print(f"| image | {total(image, 1):.1f} | {total(image, 2):.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
