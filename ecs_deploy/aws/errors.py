"""Turn botocore's exceptions into the project's errors, naming the call that failed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import botocore.exceptions

from ecs_deploy.errors import (
    AccessDenied,
    AwsError,
    CredentialsExpired,
    DeployError,
    InputError,
    OperationUnsupported,
    TransientAwsError,
)

ACCESS_DENIED_CODES = frozenset({"AccessDeniedException", "AccessDenied", "UnauthorizedOperation"})
_EXPIRED_CODES = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired"})
# Throttling and server errors: botocore's own retryable codes (botocore/data/_retry.json and
# botocore/retries/standard.py), met again once its retries ran out. Any HTTP 5xx is transient
# too, whatever its code.
_TRANSIENT_CODES = frozenset(
    {
        "ServerException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "InternalFailure",
        "InternalServerError",
        "InternalError",
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)
# What an endpoint that lacks an operation answers: a 4xx (AWS JSON protocols answer
# UnknownOperationException; some endpoints UnsupportedFeatureException or InvalidAction).
_UNSUPPORTED_CODES = frozenset(
    {"UnknownOperationException", "UnsupportedFeatureException", "InvalidAction", "404"}
)
# Resets, closed connections and timeouts (HTTPClientError covers ConnectionClosedError and
# ReadTimeoutError; ConnectionError covers EndpointConnectionError and ConnectTimeoutError).
_TRANSIENT_EXCEPTIONS = (
    botocore.exceptions.HTTPClientError,
    botocore.exceptions.ConnectionError,
)


def error_code(exc: botocore.exceptions.ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "Unknown"))


def error_message(exc: botocore.exceptions.ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Message", "")).strip()


def http_status(exc: botocore.exceptions.ClientError) -> int:
    try:
        return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    except (TypeError, ValueError):
        return 0


def translate(operation: str, exc: Exception) -> DeployError:
    """The project's error for a failed call: which call, and what AWS said."""
    if isinstance(exc, botocore.exceptions.ClientError):
        code = error_code(exc)
        message = f"{operation} failed: {code}: {error_message(exc)}"
        if code in _EXPIRED_CODES:
            return CredentialsExpired(message)
        if code in _TRANSIENT_CODES or http_status(exc) >= 500 or code.startswith("5"):
            return TransientAwsError(message)
        if code in ACCESS_DENIED_CODES:
            return AccessDenied(message)
        if code in _UNSUPPORTED_CODES or (
            # ECS: ClientException "This operation isn't supported in this Region."
            code == "ClientException" and "supported in this region" in message.lower()
        ):
            return OperationUnsupported(message)
        return AwsError(message)
    if isinstance(exc, botocore.exceptions.ParamValidationError):
        report = str(exc.kwargs.get("report", ""))
        return InputError(f"{operation} would be rejected: {describe_validation_report(report)}")
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


# botocore's report has one error a line; the value-bearing ones echo the value itself, which
# may be a secret (an environment override), so only the parameter and the types are kept.
_REPORT_ERROR_START = re.compile(r"\n(?=Missing |Unknown |Invalid |Must )")
_VALUE_BEARING = re.compile(
    r"Invalid (type|value|length) for (document )?parameter (?P<name>\S+?), value: ", re.DOTALL
)
_VALUE_FREE_PREFIXES = (
    "Missing required parameter in ",
    "Unknown parameter in ",
    "Invalid number of parameters set for tagged union",
    "Must set one of the following keys",
)
_CLASS_NAME = re.compile(r"<class '(?:[\w.]+\.)?(\w+)'>")


def describe_validation_report(report: str) -> str:
    """botocore's validation report on one line, naming parameters and types, never values."""
    errors = _REPORT_ERROR_START.split(report.strip())
    return "; ".join(_describe_validation_error(error) for error in errors if error.strip())


def _describe_validation_error(error: str) -> str:
    error = error.strip()
    match = _VALUE_BEARING.match(error)
    if match is not None:
        name, rest = match.group("name"), error[match.end() :]
        # The value is free text: what follows it is found from the end, not the start.
        type_at = rest.rfind(", type: <class '")
        if type_at >= 0:
            detail = rest[type_at + 2 :]
            actual, _, expected = detail.partition(", valid types: ")
            return (
                f"invalid type for parameter {name}: got {_type_names(actual)}, "
                f"expected {_type_names(expected)}"
            )
        minimum_at = rest.rfind(", valid min ")
        if minimum_at >= 0:
            what, _, minimum = rest[minimum_at + len(", valid min ") :].partition(": ")
            return f"invalid {what} for parameter {name}: the minimum is {minimum.strip()}"
        return f"invalid {match.group(1)} for parameter {name}"
    if error.startswith(_VALUE_FREE_PREFIXES):
        return " ".join(error.split())
    if error.startswith("Invalid parameter ") and " must be json serializable" in error:
        return " ".join(error.split(" must be json serializable")[0].split()) + (
            " must be JSON serializable"
        )
    return "a parameter is invalid"


def _type_names(text: str) -> str:
    names = _CLASS_NAME.findall(text)
    return " or ".join(names) if names else "unknown type"


@contextmanager
def aws_call(operation: str) -> Iterator[None]:
    """Wrap one API call so any botocore failure becomes a DeployError."""
    try:
        yield
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        raise translate(operation, exc) from exc
