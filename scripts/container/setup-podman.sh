#!/usr/bin/env bash
# Prepare podman on a Debian (bookworm) machine without a Docker engine or a registry,
# and build the base image localhost/pybase from the Debian mirror.
#
# Idempotent: every step is skipped when its result is already there, so a rerun takes
# about a second. Run as root (CI is root on a fresh bookworm machine).
#
# Usage:
#   eval "$(scripts/container/setup-podman.sh)"   # sets up and exports the env vars
#   scripts/container/setup-podman.sh --no-base   # packages + config only
#   scripts/container/setup-podman.sh --reset     # podman system reset + delete the scratch dir
#
# Stdout carries only `export NAME=value` lines (also written to $PODMAN_DIR/env.sh);
# progress goes to stderr.
#
# Environment knobs:
#   ECS_DEPLOY_PODMAN_DIR   scratch dir (default: <repo>/.cache/podman)
#   BASE_IMAGE_NAME         base image name (default: localhost/pybase)
#   BASE_SUITE              Debian suite for the base (default: trixie: Python 3.13, the
#                           Python of the published image and of requirements/runtime.txt)
#   BASE_MIRROR             Debian mirror (default: the host's apt mirror, else deb.debian.org)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
podman_dir="${ECS_DEPLOY_PODMAN_DIR:-$repo_root/.cache/podman}"
base_image="${BASE_IMAGE_NAME:-localhost/pybase}"
base_suite="${BASE_SUITE:-trixie}"
# python3-venv brings ensurepip: the Dockerfile builds in a venv with its own pip.
base_packages="python3,python3-venv,ca-certificates"
# Bump when the base recipe below changes: a cached base.tar of another revision is rebuilt.
base_recipe_rev="2"

want_base=1
case "${1:-}" in
  --no-base) want_base=0 ;;
  --reset)
    if [ -f "$podman_dir/env.sh" ] && command -v podman >/dev/null 2>&1; then
      # shellcheck disable=SC1091
      . "$podman_dir/env.sh"
      podman system reset -f >&2 || true
    fi
    rm -rf "$podman_dir"
    exit 0
    ;;
  "") ;;
  *) echo "usage: $0 [--no-base|--reset]" >&2; exit 2 ;;
esac

log() { printf '[setup-podman %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# 1. Debian packages -------------------------------------------------------------------
packages=(podman runc conmon containernetworking-plugins netavark aardvark-dns slirp4netns
  fuse-overlayfs uidmap catatonit iptables golang-github-containers-common mmdebstrap)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >&2
else
  log "packages already installed"
fi

# 2. Private podman configuration ------------------------------------------------------
mkdir -p "$podman_dir/storage" "$podman_dir/run"
nofile="$(ulimit -Hn)"
[ "$nofile" = unlimited ] && nofile=1048576
nproc_limit="$(ulimit -Hu)"
if [ "$nproc_limit" = unlimited ] || [ "$nproc_limit" -gt 32768 ]; then nproc_limit=32768; fi

write_if_changed() { # path, content: rewrite only when different (keeps mtimes stable)
  if [ ! -f "$1" ] || [ "$(cat "$1")" != "$2" ]; then printf '%s\n' "$2" >"$1"; fi
}

write_if_changed "$podman_dir/containers.conf" "# Written by scripts/container/setup-podman.sh
[containers]
default_ulimits = [\"nofile=$nofile:$nofile\", \"nproc=$nproc_limit:$nproc_limit\"]

[engine]
runtime = \"runc\"
cgroup_manager = \"cgroupfs\"
events_logger = \"file\""

write_if_changed "$podman_dir/storage.conf" "# Written by scripts/container/setup-podman.sh
[storage]
driver = \"overlay\"
graphroot = \"$podman_dir/storage\"
runroot = \"$podman_dir/run\""

env_lines="export CONTAINERS_CONF=$podman_dir/containers.conf
export CONTAINERS_STORAGE_CONF=$podman_dir/storage.conf"
write_if_changed "$podman_dir/env.sh" "$env_lines"
export CONTAINERS_CONF="$podman_dir/containers.conf"
export CONTAINERS_STORAGE_CONF="$podman_dir/storage.conf"

# 3. Base image ------------------------------------------------------------------------
host_mirror() {
  local uri=""
  if [ -n "${BASE_MIRROR:-}" ]; then echo "$BASE_MIRROR"; return; fi
  # deb822 sources first, then one-line sources; the first plain debian archive wins.
  uri="$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | awk '{print $2}' | grep -v -- '-security' | head -n1 || true)"
  if [ -z "$uri" ]; then
    uri="$(grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
      | awk '{for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) {print $i; exit}}' \
      | grep -v -- '-security' | head -n1 || true)"
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

if [ "$want_base" -eq 1 ]; then
  tarball="$podman_dir/base.tar"
  if [ -f "$tarball" ] && [ "$(cat "$tarball.rev" 2>/dev/null)" != "$base_recipe_rev" ]; then
    log "cached base.tar is from another recipe revision: rebuilding"
    rm -f "$tarball" "$tarball.rev"
    podman rmi -f "$base_image" >/dev/null 2>&1 || true
  fi
  if podman image exists "$base_image"; then
    log "base image $base_image already present"
  else
    if [ ! -f "$tarball" ]; then
      mirror="$(host_mirror)"
      log "building $base_suite rootfs with mmdebstrap from $mirror (about 40 s)"
      # The host's extra CA certificates: HTTPS may go through a proxy with its own CA,
      # so pip inside `podman build` needs them.
      ca_dir=/usr/local/share/ca-certificates
      # The hooks are run by mmdebstrap with the rootfs as $1: single quotes are intended.
      # shellcheck disable=SC2016
      as_root mmdebstrap --quiet --variant=apt --format=tar \
        --include="$base_packages" \
        --dpkgopt='path-exclude=/usr/share/man/*' \
        --dpkgopt='path-exclude=/usr/share/doc/*' \
        --dpkgopt='path-include=/usr/share/doc/*/copyright' \
        --dpkgopt='path-exclude=/usr/share/locale/*' \
        --customize-hook='rm -f "$1"/usr/lib/python3*/EXTERNALLY-MANAGED' \
        --customize-hook='ln -sf python3 "$1"/usr/bin/python' \
        --customize-hook="if [ -d $ca_dir ]; then cp -r $ca_dir/. \"\$1\"$ca_dir/; fi" \
        --customize-hook='chroot "$1" update-ca-certificates >/dev/null' \
        --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
        "$base_suite" "$tarball.tmp" "$mirror" </dev/null
      mv "$tarball.tmp" "$tarball"
      echo "$base_recipe_rev" >"$tarball.rev"
    else
      log "using cached $tarball"
    fi
    log "importing $tarball as $base_image"
    podman import --quiet "$tarball" "$base_image" >/dev/null
  fi
fi

log "ready; env: CONTAINERS_CONF=$CONTAINERS_CONF CONTAINERS_STORAGE_CONF=$CONTAINERS_STORAGE_CONF"
printf '%s\n' "$env_lines"
