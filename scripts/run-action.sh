#!/usr/bin/env bash
# The action's one step (action.yml, runs.using: composite): build the image from the action's
# Dockerfile, then run it much as GitHub runs a Docker action, with one difference that makes
# it a drop-in: the runner's temporary directory is mounted too, at the same path, so a task
# definition written by aws-actions/amazon-ecs-render-task-definition (a file under
# $RUNNER_TEMP, whose host path is the step's input) is readable inside the container.
#
# The workspace, RUNNER_TEMP and the directories of GitHub's file commands (GITHUB_OUTPUT,
# GITHUB_STEP_SUMMARY, ...) are mounted at their host paths, so every path string stays valid.
# Inputs arrive as INPUT_* variables set by action.yml's env: block; they are passed to the
# container by name (`--env NAME`), so no value is ever part of a command line.
set -euo pipefail

: "${GITHUB_ACTION_PATH:?run by action.yml: GITHUB_ACTION_PATH is not set}"
: "${GITHUB_WORKSPACE:?GITHUB_WORKSPACE is not set}"
: "${RUNNER_TEMP:?RUNNER_TEMP is not set}"


# One build per job (a later release runs a prebuilt image instead). --quiet prints the id.
image="$(docker build --quiet "$GITHUB_ACTION_PATH")"

env_args=()
while IFS= read -r name; do
  case "$name" in
  INPUT_* | AWS_* | GITHUB_* | RUNNER_* | ACTIONS_* | CI) env_args+=(--env "$name") ;;
  esac
done < <(compgen -e)

declare -A mounted=()
mounts=()
mount_dir() { # a directory at its own path, unless a directory mounted already holds it
  local dir="${1%/}" done_dir
  for done_dir in "${!mounted[@]}"; do
    case "$dir/" in "$done_dir"/*) return ;; esac
  done
  mounted["$dir"]=1
  mounts+=(--volume "$dir:$dir")
}
mount_dir "$GITHUB_WORKSPACE"
mount_dir "$RUNNER_TEMP"
for file in "${GITHUB_OUTPUT:-}" "${GITHUB_STEP_SUMMARY:-}" "${GITHUB_ENV:-}" \
  "${GITHUB_PATH:-}" "${GITHUB_STATE:-}"; do
  if [ -n "$file" ] && [ -d "$(dirname "$file")" ]; then mount_dir "$(dirname "$file")"; fi
done

# A job with service containers has the runner's network (github_network_<id>), which a
# Docker action would join: join it too, so services are reachable by name. Several (jobs
# sharing a Docker host) or none: Docker's default bridge.
network_args=()
networks=()
while IFS= read -r network; do
  case "$network" in github_network_*) networks+=("$network") ;; esac
done < <(docker network ls --format '{{.Name}}' 2>/dev/null || true)
if [ "${#networks[@]}" -eq 1 ]; then network_args=(--network "${networks[0]}"); fi

# The exit code goes to the step's outputs, and the next step of action.yml fails with it:
# this step succeeds, so the outputs the container wrote are the action's outputs whatever
# the verdict.
status=0
docker run --rm "${network_args[@]}" "${env_args[@]}" "${mounts[@]}" \
  --workdir "$GITHUB_WORKSPACE" "$image" || status=$?
echo "exit-code=$status" >>"${GITHUB_OUTPUT:-/dev/null}"
