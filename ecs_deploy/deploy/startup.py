"""Tasks that failed to start: which causes no retry fixes, and which ECS retries. Pure.

Failing fast is only honest for causes that a retry cannot fix. ECS retries the others and
they often recover: Docker Hub's pull rate limit (429 Too Many Requests / toomanyrequests),
registry and network timeouts, "Capacity is unavailable at this time" on Fargate, and
transient ResourceInitializationErrors. For those the service's own circuit breaker (whose
threshold users raise precisely for expected start-up failures) decides, not us.

The texts are the ones ECS puts in stoppedReason and the containers' reason: see the ECS
developer guide's "Amazon ECS stopped task error messages" and "CannotPullContainer task
errors" pages (quoted in tests/replay/recorded/SOURCES.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from ecs_deploy.aws.state import EcsTask

# The error types of tasks that never started.
START_FAILURE_TYPES = (
    "CannotPullContainerError",
    "ResourceInitializationError",
    "CannotStartContainerError",
    "CannotCreateVolumeError",
    "CannotInspectContainerError",
)

# Causes no retry fixes: the image or tag does not exist, access is denied, a secret or
# parameter does not exist, the image is for another platform.
_PERMANENT = (
    "not found",
    "manifest unknown",
    "does not exist",
    "pull access denied",
    "access denied",
    "accessdenied",
    "not authorized",
    "unauthorized",
    "permissions to pull",
    "check whether the image exists",
    "no basic auth credentials",
    "invalid reference format",
    "parameternotfound",
    "parameters were invalid",
    "invalidparameter",
    "validation error",
    "resourcenotfoundexception",
    "can't find the specified secret",
    "invalid ssm parameter",
    "does not contain descriptor matching platform",
    "no matching manifest",
    "exec format error",
    "image platform",
)
# Anything else is left to the circuit breaker: what ECS retries and often recovers from
# (Docker Hub's 429 toomanyrequests, registry i/o timeouts and "context deadline exceeded",
# "Capacity is unavailable at this time", network errors), and what is not recognised.


class StartFailure(StrEnum):
    PERMANENT = "permanent"  # fail fast: no retry fixes it
    RETRIED = "retried"  # ECS retries it; the breaker decides
    NONE = "none"  # the task started (or stopped for another reason)


def classify_texts(texts: Iterable[str]) -> StartFailure:
    joined = " | ".join(t for t in texts if t)
    never_started = "TaskFailedToStart" in joined
    if not never_started and not any(kind in joined for kind in START_FAILURE_TYPES):
        return StartFailure.NONE
    lowered = joined.lower()
    if any(marker in lowered for marker in _PERMANENT):
        return StartFailure.PERMANENT
    # What we cannot classify is not certain: a slower true verdict beats a fast wrong one.
    return StartFailure.RETRIED


def classify(task: EcsTask) -> StartFailure:
    texts = list(task.reasons)
    if task.stop_code == "TaskFailedToStart":
        texts.append("TaskFailedToStart")
    return classify_texts(texts)
