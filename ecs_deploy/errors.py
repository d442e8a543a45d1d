"""The one error hierarchy. The edge (cli) turns these into exit codes and one-line messages."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """Where in a user's file a problem is (1-based line and column)."""

    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [self.path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


class DeployError(Exception):
    """Base of every expected failure. `exit_code` is what the process returns."""

    exit_code = 1

    def __init__(self, message: str, *, location: SourceLocation | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class InputError(DeployError):
    """Bad input (inputs, flags, application or task-definition file). Nothing changed."""

    exit_code = 2


class PreflightError(DeployError):
    """What the inputs name does not exist or cannot be deployed to. Nothing changed."""

    exit_code = 2


class AwsError(DeployError):
    """An AWS API call failed in a way the run cannot continue from."""


class AccessDenied(AwsError):
    """The credentials' policy does not allow the call (AccessDenied, UnauthorizedOperation)."""


class TransientAwsError(AwsError):
    """A call failed in a way the next attempt may not (network, 5xx after botocore's retries)."""


class CredentialsExpired(AwsError):
    """Credentials expired mid-run (short-lived web-identity or SSO sessions)."""


class OperationUnsupported(AwsError):
    """The endpoint does not have the operation (a 4xx such as UnknownOperationException).

    Never a 5xx: a server error is transient and retried, not a sign the API is missing."""


class DeploymentFailed(DeployError):
    """A deployment did not land (failed, rolled back, timed out)."""


class EventError(DeployError):
    """An event the event entry point (ecs_deploy/events) cannot act on, or an updater failure
    it names with a type (`error_type`) for the caller's response. See docs/lambda.md."""

    error_type = "error"

    def __init__(self, error_type: str, message: str, *, exit_code: int = 2) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.exit_code = exit_code
