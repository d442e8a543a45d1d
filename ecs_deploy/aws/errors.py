"""Turn botocore's exceptions into the project's errors, naming the call that failed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import botocore.exceptions

from ecs_deploy.errors import (
    AwsError,
    CredentialsExpired,
    DeployError,
    InputError,
    TransientAwsError,
)

_EXPIRED_CODES = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired"})
_TRANSIENT_CODES = frozenset(
    {"ServerException", "ServiceUnavailable", "InternalFailure", "ThrottlingException"}
)
_TRANSIENT_EXCEPTIONS = (
    botocore.exceptions.EndpointConnectionError,
    botocore.exceptions.ConnectionClosedError,
    botocore.exceptions.ReadTimeoutError,
    botocore.exceptions.ConnectTimeoutError,
)


def error_code(exc: botocore.exceptions.ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "Unknown"))


def error_message(exc: botocore.exceptions.ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Message", "")).strip()


def translate(operation: str, exc: Exception) -> DeployError:
    """The project's error for a failed call: which call, and what AWS said."""
    if isinstance(exc, botocore.exceptions.ClientError):
        code = error_code(exc)
        message = f"{operation} failed: {code}: {error_message(exc)}"
        if code in _EXPIRED_CODES:
            return CredentialsExpired(message)
        if code in _TRANSIENT_CODES:
            return TransientAwsError(message)
        return AwsError(message)
    if isinstance(exc, botocore.exceptions.ParamValidationError):
        return InputError(f"{operation} would be rejected: {' '.join(str(exc).split())}")
    if isinstance(exc, botocore.exceptions.NoCredentialsError):
        return AwsError(
            f"{operation} failed: no AWS credentials found (configure-aws-credentials, "
            "AWS_PROFILE or AWS_ACCESS_KEY_ID)"
        )
    if isinstance(exc, botocore.exceptions.EndpointConnectionError):
        return TransientAwsError(
            f"{operation} failed: cannot reach {exc.kwargs.get('endpoint_url')}"
        )
    if isinstance(exc, _TRANSIENT_EXCEPTIONS):
        return TransientAwsError(f"{operation} failed: {exc}")
    return AwsError(f"{operation} failed: {exc}")


@contextmanager
def aws_call(operation: str) -> Iterator[None]:
    """Wrap one API call so any botocore failure becomes a DeployError."""
    try:
        yield
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        raise translate(operation, exc) from exc
