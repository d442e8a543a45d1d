#!/usr/bin/env bash
# The README's demo: start the local ECS emulator, seed the example application, deploy a new
# image tag to it with ecs-deploy, show the job summary. No AWS account needed.
# Usage: scripts/demo.sh [IMAGE_TAG [extra ecs-deploy flags...]]
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${VENV:-.venv}
tag=${1:-v2}
shift || true
work=$(mktemp -d)
log="$work/emulator.log"

# EMULATOR_ARGS lets a demo choose failures, e.g. --fault IMAGE=crash (see make demo-failure).
# shellcheck disable=SC2086
"$venv/bin/ecs-deploy" emulator --host 127.0.0.1 --port 0 --seed examples/.ecs-deploy.yml \
  ${EMULATOR_ARGS:-} >"$log" 2>&1 &
emulator=$!
trap 'kill "$emulator" 2>/dev/null; wait "$emulator" 2>/dev/null; rm -rf "$work"' EXIT

# Seeding ends when the services are steady; the emulator then says "ready".
for _ in $(seq 1 600); do
  grep -q '^ready' "$log" && break
  kill -0 "$emulator" 2>/dev/null || { cat "$log"; echo "demo: the emulator did not start" >&2; exit 1; }
  sleep 0.1
done
endpoint=$(grep -m1 '^AWS_ENDPOINT_URL=' "$log" | cut -d= -f2-)
[ -n "$endpoint" ] || { cat "$log"; echo "demo: no endpoint from the emulator" >&2; exit 1; }
echo "== Local ECS emulator at $endpoint (seeded from examples/.ecs-deploy.yml)"

status=0
AWS_ENDPOINT_URL=$endpoint AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo \
  GITHUB_STEP_SUMMARY="$work/summary.md" GITHUB_OUTPUT="$work/outputs" \
  "$venv/bin/ecs-deploy" deploy --config examples/.ecs-deploy.yml --image-tag "$tag" \
  --poll-interval 1s --timeout 2m "$@" || status=$?

echo
echo "== Job summary (\$GITHUB_STEP_SUMMARY)"
cat "$work/summary.md"
echo "== Outputs (\$GITHUB_OUTPUT)"
cat "$work/outputs"
exit "$status"
