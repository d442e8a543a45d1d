#!/usr/bin/env bash
# Compile the dependency locks with pip-tools, each for the Python that installs it:
#   requirements/runtime.in -> runtime.txt  pins + hashes, for the image's Python (3.13)
#   requirements/build.in   -> build.txt    pins + hashes, for the image's Python (the backend)
#   pyproject.toml          -> dev.txt      pins (constraints for `make`: the emulator extra
#                              and the dev group; runtime packages pinned as in runtime.txt),
#                              for the machine's python3 (3.11)
#   requirements/lint.in    -> lint.txt     pins + hashes, for python3 (scripts/lint.sh)
#   requirements/peers.in   -> peers.txt    pins + hashes, for python3 (scripts/install-peers.sh)
#   requirements/release.in -> release.txt  pins + hashes, for the image's Python (the release
#                              workflow builds the wheel and sdist with it)
# The locks are compiled against PyPI alone (machine-local pip config and indexes ignored) so
# that every pin and hash is one PyPI serves. Extra arguments go to every pip-compile run,
# e.g. --upgrade or --upgrade-package boto3.
#
# Knobs: IMAGE_PYTHON (default python3.13: the Python of the Dockerfile's base image),
# HOST_PYTHON (default python3).
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"

image_python="${IMAGE_PYTHON:-python3.13}"
host_python="${HOST_PYTHON:-python3}"

# The Dockerfile's base and this Python must agree (tests/unit/scripts check it too).
base_minor="$(sed -nE 's/^ARG BASE_IMAGE=python:([0-9]+\.[0-9]+)-.*/\1/p' Dockerfile)"
lock_minor="$("$image_python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [ "$base_minor" != "$lock_minor" ]; then
  echo "lock-requirements.sh: the image runs Python $base_minor, $image_python is $lock_minor" >&2
  exit 2
fi

tools_venv() { # python, venv dir: a venv with pip-tools
  if [ ! -x "$2/bin/pip-compile" ]; then
    [ -x "$2/bin/python" ] || "$1" -m venv "$2"
    "$2/bin/pip" install --quiet pip-tools
  fi
}
image_venv="$repo_root/.cache/lock-venv-$lock_minor"
host_venv="$repo_root/.cache/lock-venv-host"
tools_venv "$image_python" "$image_venv"
tools_venv "$host_python" "$host_venv"

compile() { # venv, pip-compile arguments...
  local venv="$1"
  shift
  PIP_CONFIG_FILE=/dev/null PIP_FIND_LINKS='' PIP_CONSTRAINT='' \
    CUSTOM_COMPILE_COMMAND="scripts/container/lock-requirements.sh" \
    "$venv/bin/pip-compile" --quiet --strip-extras --allow-unsafe \
    --no-emit-index-url --no-emit-find-links --index-url https://pypi.org/simple "$@"
}
compile "$image_venv" --generate-hashes --output-file requirements/runtime.txt "$@" \
  requirements/runtime.in
compile "$image_venv" --generate-hashes --output-file requirements/build.txt "$@" \
  requirements/build.in
# pip-tools reads no dependency groups (PEP 735): the dev group goes in as a requirements file.
dev_group=".cache/dev-group.in"
"$host_python" -c 'import sys, tomllib
print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["dependency-groups"]["dev"]))' \
  >"$dev_group"
compile "$host_venv" --extra emulator --constraint requirements/runtime.txt \
  --output-file requirements/dev.txt "$@" pyproject.toml "$dev_group"
compile "$host_venv" --generate-hashes --output-file requirements/lint.txt "$@" \
  requirements/lint.in
compile "$host_venv" --generate-hashes --output-file requirements/peers.txt "$@" \
  requirements/peers.in
compile "$image_venv" --generate-hashes --output-file requirements/release.txt "$@" \
  requirements/release.in
