#!/usr/bin/env bash
# Install the peer tools the emulator is checked against, each in a venv of its own under
# .cache/peers/ (git-ignored). Tests marked `peer` skip when a tool is not installed.
# Pinned with hashes: requirements/peers.txt (compiled from peers.in by
# scripts/container/lock-requirements.sh); a venv is made anew when the lock changes.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
peers="${root}/.cache/peers"
lock="${root}/requirements/peers.txt"
python="${PYTHON:-python3}"
stamp=".peers-$(cksum <"${lock}" | cut -d' ' -f1)"

# fabfuel/ecs-deploy: the `ecs` command; honours AWS_ENDPOINT_URL.
venv="${peers}/fabfuel"
if [[ ! -x "${venv}/bin/ecs" || ! -f "${venv}/${stamp}" ]]; then
  rm -rf "${venv}"
  "${python}" -m venv "${venv}"
  "${venv}/bin/pip" install --quiet --disable-pip-version-check --require-hashes -r "${lock}"
  touch "${venv}/${stamp}"
fi
echo "fabfuel ecs-deploy: ${venv}/bin/ecs"
