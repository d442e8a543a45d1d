#!/usr/bin/env bash
# Install the peer tools the emulator is checked against, each in a venv of its own under
# .cache/peers/ (git-ignored). Tests marked `peer` skip when a tool is not installed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
peers="${root}/.cache/peers"
python="${PYTHON:-python3}"

# fabfuel/ecs-deploy: the `ecs` command; honours AWS_ENDPOINT_URL.
if [[ ! -x "${peers}/fabfuel/bin/ecs" ]]; then
  "${python}" -m venv "${peers}/fabfuel"
  "${peers}/fabfuel/bin/pip" install --quiet --disable-pip-version-check "ecs-deploy==1.17.0"
fi
echo "fabfuel ecs-deploy: ${peers}/fabfuel/bin/ecs"
