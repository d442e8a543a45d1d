#!/usr/bin/env bash
# Build the action image (default tag localhost/ecs-deploy:test) from the repo's Dockerfile.
#
#   CONTAINER_ENGINE=podman (default): prepares podman and the local base image with
#     setup-podman.sh (no registry needed), then builds FROM localhost/pybase.
#   CONTAINER_ENGINE=docker (GitHub runners): plain docker build FROM python:3.12-slim.
#
# Environment knobs: ECS_DEPLOY_IMAGE (tag), BASE_IMAGE (override the FROM image).
# Extra arguments are passed to `<engine> build`.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
engine="${CONTAINER_ENGINE:-podman}"
image="${ECS_DEPLOY_IMAGE:-localhost/ecs-deploy:test}"

build_args=()
case "$engine" in
  podman)
    eval "$("$repo_root/scripts/container/setup-podman.sh")"
    build_args+=(--network=host --build-arg "BASE_IMAGE=${BASE_IMAGE:-localhost/pybase}")
    ;;
  docker)
    if [ -n "${BASE_IMAGE:-}" ]; then build_args+=(--build-arg "BASE_IMAGE=$BASE_IMAGE"); fi
    ;;
  *) echo "build.sh: CONTAINER_ENGINE must be podman or docker, not '$engine'" >&2; exit 2 ;;
esac

start=$SECONDS
"$engine" build "${build_args[@]}" --tag "$image" --file "$repo_root/Dockerfile" "$@" "$repo_root" >&2
echo "[build.sh] built $image with $engine in $((SECONDS - start)) s" >&2
