# ecs-deploy: the GitHub Action's image; also `docker run` and a CI step elsewhere.
# The published image builds on the official Python image; tests build on a local base:
#   podman build --build-arg BASE_IMAGE=localhost/pybase ...   (scripts/container/build.sh)
ARG BASE_IMAGE=python:3.12-slim
FROM ${BASE_IMAGE}

LABEL org.opencontainers.image.title="ecs-deploy" \
      org.opencontainers.image.description="Deploy applications to Amazon ECS with true verdicts" \
      org.opencontainers.image.licenses="MIT"

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# Dependencies first, from the hashed lock: this layer stays cached while the code changes.
COPY requirements/runtime.txt /app/requirements/runtime.txt
RUN python -m pip install --no-cache-dir --require-hashes -r /app/requirements/runtime.txt

# Then the package itself (its dependencies are all in the lock above).
COPY pyproject.toml README.md entrypoint.py /app/
COPY ecs_deploy/ /app/ecs_deploy/
RUN python -m pip install --no-cache-dir --no-deps /app \
    && rm -rf /app/build /app/*.egg-info \
    && python -c "import ecs_deploy"

# No USER and no WORKDIR: GitHub runs Docker actions as root with the workspace mounted at
# /github/workspace and sets the working directory itself.
ENTRYPOINT ["python", "/app/entrypoint.py"]
