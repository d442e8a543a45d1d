"""CloudWatch Logs: the last lines of a container's log stream, for failure forensics."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import botocore.exceptions

from ecs_deploy.aws.errors import ACCESS_DENIED_CODES, error_code, error_message


class LogsUnavailable(Exception):
    """The lines cannot be read (no permission, no stream yet); the message says why."""

    def __init__(self, message: str, *, denied: bool = False) -> None:
        super().__init__(message)
        self.denied = denied  # the IAM policy lacks logs:GetLogEvents


class LogsApi:
    """`client_in(region)` makes a client for logs kept in another region than `client`'s
    (a task definition's awslogs-region); without it every read goes to `client`."""

    def __init__(self, client: Any, client_in: Callable[[str], Any] | None = None) -> None:
        self._client = client
        self._client_in = client_in
        self._regional: dict[str, Any] = {}
        self._lock = threading.Lock()  # services are watched in parallel

    def _client_for(self, region: str | None) -> Any:
        if not region or self._client_in is None or region == self._client.meta.region_name:
            return self._client
        with self._lock:
            if region not in self._regional:
                self._regional[region] = self._client_in(region)
            return self._regional[region]

    def tail(
        self, group: str, stream: str, *, lines: int = 20, region: str | None = None
    ) -> list[str]:
        """The last `lines` events of a stream, read in `region` (None: the client's)."""
        try:
            client = self._client_for(region)
            response = client.get_log_events(
                logGroupName=group, logStreamName=stream, limit=lines, startFromHead=False
            )
        except botocore.exceptions.ClientError as exc:
            code = error_code(exc)
            if code in ACCESS_DENIED_CODES:
                raise LogsUnavailable(
                    f"no permission to read {group} (logs:GetLogEvents)", denied=True
                ) from None
            if code == "ResourceNotFoundException":
                raise LogsUnavailable(f"no log stream {stream} in {group}") from None
            raise LogsUnavailable(f"{code}: {error_message(exc)}") from None
        except botocore.exceptions.BotoCoreError as exc:
            raise LogsUnavailable(str(exc)) from None
        return [str(event.get("message", "")).rstrip("\n") for event in response.get("events", [])]
