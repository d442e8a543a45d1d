#!/usr/bin/env bash
# The action's step (action.yml, runs.using: composite): run ecs-deploy one of three ways.
#
#   released version  action-release.env (written by .github/workflows/release.yml into the
#                     release commit) names the image by digest: it is pulled, never built.
#   a checkout        (`uses: ./`, a branch, a pull request): the image is built from the
#                     action's Dockerfile, so the working tree is what is tested.
#   the packaged CLI  where Linux containers cannot run (macOS and Windows runners, a Linux
#                     runner without a Docker engine): a venv with the hashed lock and the
#                     package (the released wheel by hash, or the checkout), run directly.
# ECS_DEPLOY_ACTION_IMAGE=<image> runs that image instead (the release smoke test);
# ECS_DEPLOY_ACTION_ENGINE=cli|docker overrides the choice of how to run.
#
# Usage: run-action.sh choose   prints `engine=docker|cli` and `user=` for action.yml's next steps
#        run-action.sh          runs the deployment; its exit code goes to GITHUB_OUTPUT
#
# In a container, the workspace, RUNNER_TEMP and the directories of GitHub's file commands
# (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, ...) are mounted at their host paths, so every path
# string stays valid, also a task definition that aws-actions/amazon-ecs-render-task-definition
# wrote under $RUNNER_TEMP. The container runs as the runner's user, who owns those files.
# Inputs arrive as INPUT_* variables set by action.yml's env: block; they are passed to the
# container by name (`--env NAME`), so no value is ever part of a command line.
set -euo pipefail

: "${GITHUB_ACTION_PATH:?run by action.yml: GITHUB_ACTION_PATH is not set}"
: "${GITHUB_WORKSPACE:?GITHUB_WORKSPACE is not set}"
: "${RUNNER_TEMP:?RUNNER_TEMP is not set}"

say() { echo "ecs-deploy: $*" >&2; }
fail() { # message: the action's own setup failed (not a deployment verdict)
  echo "::error title=ecs-deploy::$1"
  exit 2
}

release_file="$GITHUB_ACTION_PATH/action-release.env"
release_version="" release_image="" release_wheel_sha256=""
if [ -f "$release_file" ]; then # parsed, never sourced: three known keys, checked formats
  while IFS='=' read -r key value || [ -n "$key" ]; do # a last line without its newline too
    value="${value%$'\r'}"
    case "$key" in
    ECS_DEPLOY_VERSION) release_version="$value" ;;
    ECS_DEPLOY_IMAGE) release_image="$value" ;;
    ECS_DEPLOY_WHEEL_SHA256) release_wheel_sha256="$value" ;;
    "" | \#*) ;;
    *) fail "action-release.env: unknown key '$key'" ;;
    esac
  done <"$release_file"
  [[ "$release_version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([a-z0-9.+-]*)$ ]] ||
    fail "action-release.env: ECS_DEPLOY_VERSION '$release_version' is not a version"
  [[ "$release_image" =~ ^[a-z0-9.:/_-]+@sha256:[0-9a-f]{64}$ ]] ||
    fail "action-release.env: ECS_DEPLOY_IMAGE must name an image by digest (…@sha256:<64 hex>)"
  [[ "$release_wheel_sha256" =~ ^[0-9a-f]{64}$ ]] ||
    fail "action-release.env: ECS_DEPLOY_WHEEL_SHA256 must be 64 hex digits"
fi

engine="${ECS_DEPLOY_ACTION_ENGINE:-}"
# The container runs as the runner's user, who owns the workspace and the files GitHub gives
# the step; with rootless Docker the runner's user is uid 0 inside the container.
container_user="${ECS_DEPLOY_ACTION_USER:-}"
case "$engine" in
docker | cli) ;;
"") # Linux containers need a Linux runner with a reachable engine (`docker info` asks it).
  # In a job's own `container:` (GitHub mounts the runner's work folder at /__w there) the
  # engine, the host's through its socket, would resolve the mounts below on the host, where
  # the job's paths do not exist: the CLI runs there instead.
  case "$GITHUB_WORKSPACE" in /__w/*) job_container=1 ;; *) job_container=0 ;; esac
  if [ "${RUNNER_OS:-Linux}" = Linux ] && [ "$job_container" = 0 ] &&
    command -v docker >/dev/null 2>&1 &&
    security="$(docker info --format '{{.SecurityOptions}}' 2>/dev/null)"; then
    engine=docker
    case "$security" in *rootless*) container_user="${container_user:-0:0}" ;; esac
  else
    engine=cli
  fi
  ;;
*) fail "ECS_DEPLOY_ACTION_ENGINE must be docker or cli, not '$engine'" ;;
esac

if [ "$engine" = docker ] && [ -z "$container_user" ]; then container_user="$(id -u):$(id -g)"; fi

if [ "${1:-}" = choose ]; then
  printf 'engine=%s\nuser=%s\n' "$engine" "$container_user" >>"${GITHUB_OUTPUT:-/dev/stdout}"
  exit 0
fi

# ---- the packaged CLI ------------------------------------------------------------------
cli_venv_python() { # venv dir: its python (bin/ on POSIX, Scripts/ on Windows)
  if [ -x "$1/bin/python" ]; then echo "$1/bin/python"; else echo "$1/Scripts/python.exe"; fi
}

cli_python=""
install_cli() { # sets cli_python: the python that runs the installed package
  local python="${ECS_DEPLOY_PYTHON:-python3}" pip_args=(--quiet --disable-pip-version-check)
  local python_version key pointer venv
  python_version="$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')" ||
    fail "no Python at '$python' for the packaged CLI"
  if [ -n "$release_version" ]; then
    # Reused by later jobs on a self-hosted runner: the tool cache outlives the job.
    key="${RUNNER_TOOL_CACHE:-$RUNNER_TEMP}/ecs-deploy/$release_version-${release_wheel_sha256:0:12}-py$python_version"
  else # one per checkout: two `uses:` of different refs in a job get one venv each
    key="$RUNNER_TEMP/ecs-deploy-cli-$(printf '%s' "$GITHUB_ACTION_PATH" | cksum | cut -d' ' -f1)"
  fi
  # `$key.venv` names a finished venv; it is trusted while its Python still runs (a tool cache
  # can lose the interpreter a venv was made with).
  pointer="$key.venv"
  if [ -f "$pointer" ]; then
    cli_python="$(cli_venv_python "$(cat "$pointer")")"
    if "$cli_python" -c '' 2>/dev/null; then return; fi
  fi
  # A new venv under a name of its own (a venv's scripts name its path, so it is never moved):
  # another job sharing the tool cache never sees, or deletes, a half-made one.
  mkdir -p "$(dirname "$key")" || fail "cannot create $(dirname "$key")"
  venv="$(mktemp -d "$key.XXXXXX")" || fail "cannot create a directory next to $key"
  "$python" -m venv "$venv" >&2 || fail "could not create a Python venv with $python"
  cli_python="$(cli_venv_python "$venv")"
  # The lock pins and hashes every dependency for the Python the image runs (3.13), which is
  # the one action.yml sets up for this path.
  "$cli_python" -m pip install "${pip_args[@]}" --require-hashes --no-deps \
    -r "$GITHUB_ACTION_PATH/requirements/runtime.txt" >&2 ||
    fail "installing the dependencies from requirements/runtime.txt failed"
  if [ -n "$release_version" ]; then
    local wheel_requirement="$venv.wheel.txt"
    echo "ecs-deploy-action==$release_version --hash=sha256:$release_wheel_sha256" \
      >"$wheel_requirement"
    "$cli_python" -m pip install "${pip_args[@]}" --require-hashes --no-deps \
      --only-binary :all: -r "$wheel_requirement" >&2 ||
      fail "installing ecs-deploy-action $release_version from PyPI failed"
    rm -f "$wheel_requirement"
  else
    # The build backend from its hashed lock, not a download by pip's build isolation; built
    # from a copy, so nothing (build/, *.egg-info) is left in the checkout, often the workspace.
    local source="$venv.src"
    mkdir -p "$source" || fail "cannot create $source"
    cp -R "$GITHUB_ACTION_PATH/pyproject.toml" "$GITHUB_ACTION_PATH/README.md" \
      "$GITHUB_ACTION_PATH/LICENSE" "$GITHUB_ACTION_PATH/ecs_deploy" "$source/" ||
      fail "copying the package from $GITHUB_ACTION_PATH failed"
    "$cli_python" -m pip install "${pip_args[@]}" --require-hashes --no-deps \
      -r "$GITHUB_ACTION_PATH/requirements/build.txt" >&2 ||
      fail "installing the build backend from requirements/build.txt failed"
    "$cli_python" -m pip install "${pip_args[@]}" --no-deps --no-build-isolation "$source" >&2 ||
      fail "installing ecs-deploy from $GITHUB_ACTION_PATH failed"
    rm -rf "$source"
  fi
  printf '%s\n' "$venv" >"$pointer.$$" || fail "cannot write $pointer.$$"
  mv -f "$pointer.$$" "$pointer" || fail "cannot record the venv in $pointer"
}

run_cli() {
  install_cli
  say "running the packaged CLI: $("$cli_python" -I -m ecs_deploy --version 2>&1 || true)"
  # -I: the workspace (the working directory) never shadows the installed package.
  "$cli_python" -I -m ecs_deploy.container
}

# ---- the image -------------------------------------------------------------------------
image=""
choose_image() { # sets image: the id or reference to run
  if [ -n "${ECS_DEPLOY_ACTION_IMAGE:-}" ]; then
    say "running $ECS_DEPLOY_ACTION_IMAGE (ECS_DEPLOY_ACTION_IMAGE)"
    image="$ECS_DEPLOY_ACTION_IMAGE"
  elif [ -n "$release_image" ]; then
    say "ecs-deploy $release_version: pulling $release_image"
    docker pull --quiet "$release_image" >/dev/null || fail "docker pull $release_image failed"
    image="$release_image"
  else
    say "building the image from $GITHUB_ACTION_PATH (a checkout, not a release)"
    image="$(docker build --quiet "$GITHUB_ACTION_PATH")" || fail "docker build of the action failed"
  fi
}

run_container() {
  choose_image

  local env_args=() name
  while IFS= read -r name; do
    case "$name" in
    INPUT_* | AWS_* | GITHUB_* | RUNNER_* | ACTIONS_* | CI) env_args+=(--env "$name") ;;
    esac
  done < <(compgen -e)

  declare -A mounted=()
  local mounts=()
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
  local file
  for file in "${GITHUB_OUTPUT:-}" "${GITHUB_STEP_SUMMARY:-}" "${GITHUB_ENV:-}" \
    "${GITHUB_PATH:-}" "${GITHUB_STATE:-}"; do
    if [ -n "$file" ] && [ -d "$(dirname "$file")" ]; then mount_dir "$(dirname "$file")"; fi
  done

  # A job with service containers has the runner's network (github_network_<id>), which a
  # Docker action would join: join it too, so services are reachable by name. Several (jobs
  # sharing a Docker host) or none: Docker's default bridge.
  local network_args=() networks=() network
  while IFS= read -r network; do
    case "$network" in github_network_*) networks+=("$network") ;; esac
  done < <(docker network ls --format '{{.Name}}' 2>/dev/null || true)
  if [ "${#networks[@]}" -eq 1 ]; then network_args=(--network "${networks[0]}"); fi

  docker run --rm --user "$container_user" "${network_args[@]}" "${env_args[@]}" \
    "${mounts[@]}" --workdir "$GITHUB_WORKSPACE" "$image"
}

# The exit code goes to the step's outputs, and the next step of action.yml fails with it:
# this step succeeds, so the outputs ecs-deploy wrote are the action's outputs whatever the
# verdict.
status=0
case "$engine" in
cli) run_cli || status=$? ;;
docker) run_container || status=$? ;;
esac
echo "exit-code=$status" >>"${GITHUB_OUTPUT:-/dev/null}"
