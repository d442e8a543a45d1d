# ecs-deploy: the GitHub Action's image; also `docker run`, GitLab CI and CodeBuild.
#
# Released versions of the action pull this image by digest (built by
# .github/workflows/release.yml); only `uses: ./` and pull requests build it per job.
# The base is pinned by digest (Renovate/Dependabot move the pin). Its Python (3.13) is the
# one requirements/runtime.txt is compiled for. Tests build on a local base of the same
# Python made from Debian's mirror:
#   podman build --build-arg BASE_IMAGE=localhost/pybase ...   (scripts/container/build.sh)
ARG BASE_IMAGE=python:3.13-slim-trixie@sha256:9d2e5553305c7c7b0097999bb17187c69b921ccd6bc9d40e4bb5ebe652c00285

# ---- build: a venv with the hashed lock, the package, and botocore trimmed -----------------
FROM ${BASE_IMAGE} AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONDONTWRITEBYTECODE=1

# The venv's own pip (ensurepip) installs everything; pip and setuptools leave the venv
# before it is copied, so the image carries only what the action runs.
RUN python3 -m venv /opt/ecs-deploy
COPY requirements/runtime.txt requirements/build.txt /src/requirements/
RUN /opt/ecs-deploy/bin/pip install --require-hashes --no-deps -r /src/requirements/runtime.txt \
    && /opt/ecs-deploy/bin/pip install --require-hashes --no-deps -r /src/requirements/build.txt

COPY pyproject.toml README.md LICENSE /src/
COPY ecs_deploy/ /src/ecs_deploy/
COPY scripts/container/trim-botocore.py /src/scripts/container/
# --no-build-isolation: the build backend is the hashed setuptools above, not a fresh download.
# Bytecode is compiled once here (cold start), except for code the action never imports:
# pygments (rich needs it only for syntax highlighting) and the emulator (needs moto).
RUN /opt/ecs-deploy/bin/pip install --no-deps --no-build-isolation --no-compile /src \
    && /opt/ecs-deploy/bin/python /src/scripts/container/trim-botocore.py \
    && /opt/ecs-deploy/bin/pip uninstall --yes --quiet setuptools pip \
    && find /opt/ecs-deploy -name __pycache__ -type d -prune -exec rm -rf {} + \
    && /opt/ecs-deploy/bin/python -m compileall -q -j 0 --invalidation-mode unchecked-hash \
        -x '/(pygments|ecs_deploy/emulator)/' /opt/ecs-deploy/lib

# ---- the image: the base and the venv, nothing else ------------------------------------
FROM ${BASE_IMAGE}

LABEL org.opencontainers.image.title="ecs-deploy" \
      org.opencontainers.image.description="Deploy applications to Amazon ECS with true verdicts" \
      org.opencontainers.image.licenses="MIT"

COPY --from=build /opt/ecs-deploy /opt/ecs-deploy

# `ecs-deploy` on PATH for GitLab CI / CodeBuild jobs that run commands in this image.
ENV PATH=/opt/ecs-deploy/bin:$PATH \
    PYTHONUNBUFFERED=1

# Not root by default. The action's wrapper (scripts/run-action.sh) runs the container as the
# runner's own user (`--user "$(id -u):$(id -g)"`), so the workspace and GitHub's file commands,
# which that user owns, stay writable; no home directory is needed (credentials come from the
# environment or a mounted file named by AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE).
USER 65532:65532

# -I: the working directory (a user's workspace) and PYTHON* variables never shadow the
# installed package (-u: unbuffered, which -I would not take from PYTHONUNBUFFERED).
# No arguments = GitHub Action mode (INPUT_* variables); else the CLI.
ENTRYPOINT ["/opt/ecs-deploy/bin/python", "-I", "-u", "-m", "ecs_deploy.container"]
