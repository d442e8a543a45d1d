"""CloudWatch Logs: the last lines of a container's log stream, for failure forensics."""

from __future__ import annotations

from typing import Any

import botocore.exceptions

from ecs_deploy.aws.errors import error_code, error_message


class LogsUnavailable(Exception):
    """The lines cannot be read (no permission, no stream yet); the message says why."""


class LogsApi:
    def __init__(self, client: Any) -> None:
        self._client = client

    def tail(self, group: str, stream: str, *, lines: int = 20) -> list[str]:
        try:
            response = self._client.get_log_events(
                logGroupName=group, logStreamName=stream, limit=lines, startFromHead=False
            )
        except botocore.exceptions.ClientError as exc:
            code = error_code(exc)
            if code in ("AccessDeniedException", "UnauthorizedOperation"):
                raise LogsUnavailable(
                    f"no permission to read {group} (logs:GetLogEvents)"
                ) from None
            if code == "ResourceNotFoundException":
                raise LogsUnavailable(f"no log stream {stream} in {group}") from None
            raise LogsUnavailable(f"{code}: {error_message(exc)}") from None
        except botocore.exceptions.BotoCoreError as exc:
            raise LogsUnavailable(str(exc)) from None
        return [str(event.get("message", "")).rstrip("\n") for event in response.get("events", [])]
