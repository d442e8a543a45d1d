"""Which start failures end the wait at once, from the texts ECS puts in stoppedReason.

The texts are AWS's (tests/replay/recorded/SOURCES.md: the ECS developer guide's
"CannotPullContainer task errors", re:Post knowledge-center articles, the ECS agent's
message formats). AWS never labels a cause "transient": what a retry can fix (rate limits,
timeouts, capacity) is left to the service's circuit breaker; only what no retry fixes fails
fast, and anything not recognised is not certain.
"""

from __future__ import annotations

import pytest

from ecs_deploy.deploy.startup import StartFailure, classify_texts

PERMANENT = [
    "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to "
    "resolve ref docker.io/library/app:v9: docker.io/library/app:v9: not found",
    "CannotPullContainerError: The task can't pull the image. Check that the role has the "
    "permissions to pull images from the registry.",
    "CannotPullContainerError: The task can't pull the image. Check whether the image exists.",
    "CannotPullContainerError: API error (404): repository 123.dkr.ecr.us-east-1.amazonaws.com/app "
    "not found",
    "CannotPullContainerError: pull access denied for app, repository does not exist or may "
    "require 'docker login'",
    "CannotPullContainerError: ref pull has been retried 1 time(s): failed to unpack image on "
    "snapshotter overlayfs: no match for platform in manifest: not found",
    "ResourceInitializationError: unable to pull secrets or registry auth: execution resource "
    "retrieval failed: unable to retrieve secret from asm: service call has been retried 1 "
    "time(s): ResourceNotFoundException: Secrets Manager can't find the specified secret.",
    "ResourceInitializationError: unable to pull secrets or registry auth: execution resource "
    "retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 "
    "time(s): AccessDeniedException: User: arn:aws:sts::1:assumed-role/exec is not authorized "
    "to perform: ssm:GetParameters",
    "ResourceInitializationError: unable to pull secrets or registry auth: InvalidParameter: 1 "
    "validation error(s) found. - minimum field size of 32, GetSecretValueInput.VersionId.",
]
RETRIED = [
    "CannotPullContainerError: inspect image has been retried 1 time(s): httpReaderSeeker: "
    "failed open: unexpected status code https://registry-1.docker.io/v2/library/nginx/"
    "manifests/sha256:0a: 429 Too Many Requests - Server message: toomanyrequests: You have "
    "reached your pull rate limit.",
    "CannotPullContainerError: Error response from daemon: Get https://1.dkr.ecr.us-east-1."
    "amazonaws.com/v2/: net/http: request canceled while waiting for connection",
    "CannotPullContainerError: The task cannot pull 'app' from the Amazon ECR repository "
    "'1.dkr.ecr.us-east-1.amazonaws.com/app'. There is a connection issue between the task "
    "and Amazon ECR. Check your task network configuration.",
    "ResourceInitializationError: unable to pull secrets or registry auth: execution resource "
    "retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 "
    'time(s): RequestError: send request failed caused by: Post "https://api.ecr.us-east-1.'
    'amazonaws.com/": dial tcp 10.0.0.1:443: i/o timeout. Please check your task network '
    "configuration.",
    "TaskFailedToStart: Capacity is unavailable at this time. Please try again later or in a "
    "different availability zone",
]


@pytest.mark.parametrize("text", PERMANENT)
def test_causes_no_retry_fixes_fail_fast(text: str) -> None:
    assert classify_texts([text]) is StartFailure.PERMANENT


@pytest.mark.parametrize("text", RETRIED)
def test_causes_ecs_retries_are_left_to_the_breaker(text: str) -> None:
    assert classify_texts([text, "TaskFailedToStart"]) is StartFailure.RETRIED


def test_a_task_that_ran_and_exited_is_not_a_start_failure() -> None:
    assert classify_texts(["Essential container in task exited"]) is StartFailure.NONE
