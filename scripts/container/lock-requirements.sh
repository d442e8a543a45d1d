#!/usr/bin/env bash
# Compile the dependency locks (pip-tools from the tooling venv .cache/lint-venv, created here
# when missing):
#   requirements/runtime.in -> requirements/runtime.txt  exact pins + hashes (the image)
#   pyproject.toml [dev]    -> requirements/dev.txt      exact pins (constraints for `make`;
#                              runtime packages pinned as in runtime.txt)
#   requirements/lint.in    -> requirements/lint.txt     exact pins + hashes (scripts/lint.sh)
#   requirements/peers.in   -> requirements/peers.txt    exact pins + hashes
#                              (scripts/install-peers.sh)
#   requirements/release.in -> requirements/release.txt  exact pins + hashes (the release
#                              workflow's wheel and sdist build)
# The locks are compiled against PyPI alone (machine-local pip config and indexes ignored) so
# that every pin and hash is one PyPI serves. Extra arguments go to every pip-compile run,
# e.g. --upgrade or --upgrade-package boto3.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="$repo_root/.cache/lint-venv"
if [ ! -x "$venv/bin/pip-compile" ]; then
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet pip-tools
fi
cd "$repo_root"
compile() {
  PIP_CONFIG_FILE=/dev/null PIP_FIND_LINKS='' PIP_CONSTRAINT='' \
    CUSTOM_COMPILE_COMMAND="scripts/container/lock-requirements.sh" \
    "$venv/bin/pip-compile" --quiet --strip-extras --allow-unsafe \
    --no-emit-index-url --no-emit-find-links --index-url https://pypi.org/simple "$@"
}
compile --generate-hashes --output-file requirements/runtime.txt "$@" requirements/runtime.in
compile --extra dev --constraint requirements/runtime.txt --output-file requirements/dev.txt \
  "$@" pyproject.toml
compile --generate-hashes --output-file requirements/lint.txt "$@" requirements/lint.in
compile --generate-hashes --output-file requirements/peers.txt "$@" requirements/peers.in
compile --generate-hashes --output-file requirements/release.txt "$@" requirements/release.in
