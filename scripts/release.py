#!/usr/bin/env python3
"""The decisions of .github/workflows/release.yml, kept out of YAML so they are tested.

    release.py tag TAG [--pyproject FILE] [--package-init FILE]
        TAG (vX.Y.Z) must be "v" + pyproject's version, which must be the package's
        __version__ too (what `ecs-deploy --version` prints). Prints version=, major=, tag=,
        prerelease= lines (for $GITHUB_OUTPUT). Exit 2 with one line naming the mismatch.
    release.py release-env --version V --image REF@sha256:D --wheel-sha256 H [--output FILE]
        Writes action-release.env: the three lines scripts/run-action.sh parses (never sources).
    release.py move-major VERSION [EXISTING_TAG ...]
        Prints move=true when the floating vMAJOR tag should point at VERSION: a final release
        that is the highest final release of its major, so a patch to an older line never
        moves vMAJOR backwards. Tags not of the form vX.Y.Z are ignored.

Standard library only: the release jobs run it with the runner's python3, nothing installed.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

FINAL = re.compile(r"(?P<major>0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)")
# PEP 440 public versions without epoch or local part: X.Y.Z, optionally aN/bN/rcN, .postN, .devN
VERSION = re.compile(
    r"(?P<major>0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)(?:(?:a|b|rc)\d+)?(?:\.post\d+)?(?:\.dev\d+)?"
)
IMAGE = re.compile(r"ghcr\.io/[a-z0-9][a-z0-9._/-]*@sha256:[0-9a-f]{64}")
SHA256 = re.compile(r"[0-9a-f]{64}")
DUNDER_VERSION = re.compile(r"""^__version__\s*=\s*["']([^"']+)["']""", re.MULTILINE)


class ReleaseError(Exception):
    """A release input that does not fit: reported as one line, exit 2."""


def pyproject_version(pyproject: Path) -> str:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ReleaseError(f"{pyproject}: cannot read the project version: {error}") from None
    version = data.get("project", {}).get("version")
    if not isinstance(version, str):
        raise ReleaseError(f"{pyproject}: [project] has no version")
    return version


def package_version(init: Path) -> str | None:
    """The package's __version__, or None where the file does not set one."""
    try:
        found = DUNDER_VERSION.search(init.read_text(encoding="utf-8"))
    except OSError:
        return None
    return found.group(1) if found else None


def check_tag(tag: str, pyproject: Path, init: Path) -> dict[str, str]:
    version = pyproject_version(pyproject)
    if tag != f"v{version}":
        raise ReleaseError(
            f"tag {tag!r} does not match {pyproject.name}'s version {version!r}: "
            f"bump [project] version to {tag.removeprefix('v')!r} or tag v{version}"
        )
    in_package = package_version(init)
    if in_package is not None and in_package != version:
        raise ReleaseError(
            f"{init}: __version__ {in_package!r} is not {pyproject.name}'s version {version!r}"
        )
    matched = VERSION.fullmatch(version)
    if matched is None:
        raise ReleaseError(f"version {version!r} is not X.Y.Z (optionally aN, bN, rcN, .postN)")
    return {
        "version": version,
        "major": f"v{matched['major']}",
        "tag": tag,
        "prerelease": "false" if FINAL.fullmatch(version) else "true",
    }


def release_env(version: str, image: str, wheel_sha256: str) -> str:
    if VERSION.fullmatch(version) is None:
        raise ReleaseError(f"version {version!r} is not a release version")
    if IMAGE.fullmatch(image) is None:
        raise ReleaseError(f"image {image!r} is not ghcr.io/<name>@sha256:<64 hex>")
    if SHA256.fullmatch(wheel_sha256) is None:
        raise ReleaseError(f"wheel sha256 {wheel_sha256!r} is not 64 lowercase hex digits")
    return (
        f"ECS_DEPLOY_VERSION={version}\n"
        f"ECS_DEPLOY_IMAGE={image}\n"
        f"ECS_DEPLOY_WHEEL_SHA256={wheel_sha256}\n"
    )


def _final(tag_or_version: str) -> tuple[int, int, int] | None:
    matched = FINAL.fullmatch(tag_or_version.removeprefix("v"))
    if matched is None:
        return None
    major, minor, patch = (int(part) for part in matched.group(0).split("."))
    return major, minor, patch


def should_move_major(version: str, existing_tags: list[str]) -> bool:
    mine = _final(version)
    if mine is None:  # a pre-release never moves the floating tag
        return False
    same_major = [
        parsed
        for parsed in map(_final, existing_tags)
        if parsed is not None and parsed[0] == mine[0]
    ]
    return all(mine >= other for other in same_major)


def _main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="release.py", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    tag = commands.add_parser("tag")
    tag.add_argument("tag")
    tag.add_argument("--pyproject", type=Path, default=Path("pyproject.toml"))
    tag.add_argument("--package-init", type=Path, default=Path("ecs_deploy/__init__.py"))
    env = commands.add_parser("release-env")
    env.add_argument("--version", required=True)
    env.add_argument("--image", required=True)
    env.add_argument("--wheel-sha256", required=True)
    env.add_argument("--output", type=Path, default=Path("action-release.env"))
    move = commands.add_parser("move-major")
    move.add_argument("version")
    move.add_argument("existing_tags", nargs="*")
    args = parser.parse_args(argv)
    try:
        if args.command == "tag":
            for key, value in check_tag(args.tag, args.pyproject, args.package_init).items():
                print(f"{key}={value}")
        elif args.command == "release-env":
            text = release_env(args.version, args.image, args.wheel_sha256)
            args.output.write_text(text, encoding="utf-8")
        else:
            moves = should_move_major(args.version, args.existing_tags)
            print(f"move={'true' if moves else 'false'}")
    except ReleaseError as error:
        print(f"release.py: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
