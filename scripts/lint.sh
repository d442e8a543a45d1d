#!/usr/bin/env bash
# Static checks of the packaging and CI files: hadolint (Dockerfile), shellcheck (these
# scripts), actionlint (workflows, with shellcheck on their run: steps),
# check-jsonschema (action.yml and workflows against SchemaStore's schemas), zizmor (workflow
# security, offline), cfn-lint (the Lambda template, deploy/lambda/template.yaml), terraform fmt
# (examples/terraform, where terraform is installed). Python code is checked by ruff and mypy
# (`make lint`), not here.
#
# The tools live in .cache/lint-venv (not the project's .venv), installed from the hashed lock
# requirements/lint.txt; the venv is created when missing and refreshed when the lock changes.
# Exits non-zero when any tool reports a finding (every tool runs; all findings are shown).
set -uo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${LINT_VENV:-$repo_root/.cache/lint-venv}"
lock="$repo_root/requirements/lint.txt"
cd "$repo_root" || exit 2

stamp="$venv/.lint-$(cksum <"$lock" | cut -d' ' -f1)"
if [ ! -f "$stamp" ]; then
  echo "lint.sh: installing the linters into $venv" >&2
  if ! { [ -x "$venv/bin/python" ] || python3 -m venv "$venv"; } ||
    ! "$venv/bin/python" -m pip install --quiet --require-hashes -r "$lock"; then
    echo "lint.sh: installing the linters failed" >&2
    exit 2
  fi
  rm -f "$venv"/.lint-*
  touch "$stamp"
fi
bin="$venv/bin"

shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
# The action and the repository's own composite actions (.github/actions/, used by the workflows).
actions=(action.yml .github/actions/*/action.yml)
failed=()
check() { # name, command...
  local name="$1"
  shift
  echo "== $name" >&2
  if ! "$@"; then failed+=("$name"); fi
}

check hadolint "$bin/hadolint" Dockerfile
check shellcheck "$bin/shellcheck" scripts/lint.sh scripts/run-action.sh scripts/install-peers.sh \
  scripts/container/*.sh
check check-jsonschema:actions "$bin/check-jsonschema" --builtin-schema vendor.github-actions \
  "${actions[@]}"
check cfn-lint "$bin/cfn-lint" deploy/lambda/template.yaml
if [ "${#workflows[@]}" -gt 0 ]; then
  check actionlint "$bin/actionlint" -shellcheck="$bin/shellcheck" -pyflakes= "${workflows[@]}"
  check check-jsonschema:workflows "$bin/check-jsonschema" --builtin-schema vendor.github-workflows \
    "${workflows[@]}"
  check zizmor "$bin/zizmor" --offline --no-progress --persona=regular .github/workflows \
    "${actions[@]}"
fi

# The HCL examples: formatting only (providers cannot be downloaded here, so no init/plan).
if command -v terraform >/dev/null 2>&1; then
  # No CLI configuration is needed to format; /dev/null keeps terraform from warning about it.
  check terraform-fmt env TF_CLI_CONFIG_FILE=/dev/null terraform fmt -check -recursive -diff \
    examples/terraform
else
  echo "== terraform-fmt: skipped: terraform is not installed" >&2
fi

if [ "${#failed[@]}" -gt 0 ]; then
  echo "lint.sh: findings from ${failed[*]}" >&2
  exit 1
fi
echo "lint.sh: all clean" >&2
