"""Turn botocore's exceptions into the project's errors, naming the call that failed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import botocore.exceptions

from ecs_deploy.errors import AwsError, DeployError, InputError


def error_code(exc: botocore.exceptions.ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "Unknown"))


def error_message(exc: botocore.exceptions.ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Message", "")).strip()


def translate(operation: str, exc: Exception) -> DeployError:
    """The project's error for a failed call: which call, and what AWS said."""
    if isinstance(exc, botocore.exceptions.ClientError):
        return AwsError(f"{operation} failed: {error_code(exc)}: {error_message(exc)}")
    if isinstance(exc, botocore.exceptions.ParamValidationError):
        return InputError(f"{operation} would be rejected: {' '.join(str(exc).split())}")
    if isinstance(exc, botocore.exceptions.NoCredentialsError):
        return AwsError(
            f"{operation} failed: no AWS credentials found (configure-aws-credentials, "
            "AWS_PROFILE or AWS_ACCESS_KEY_ID)"
        )
    if isinstance(exc, botocore.exceptions.EndpointConnectionError):
        return AwsError(f"{operation} failed: cannot reach {exc.kwargs.get('endpoint_url')}")
    return AwsError(f"{operation} failed: {exc}")


@contextmanager
def aws_call(operation: str) -> Iterator[None]:
    """Wrap one API call so any botocore failure becomes a DeployError."""
    try:
        yield
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        raise translate(operation, exc) from exc
