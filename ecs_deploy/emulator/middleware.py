"""WSGI middleware in front of moto: records calls, serialises them with the scheduler, and
lets hooks answer or amend a request (see hooks.py).

moto's backends are plain objects shared by the request threads and the scheduler thread;
one lock around both keeps every request and every tick atomic.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qs

from werkzeug.exceptions import InternalServerError

from .calls import CallRecorder, RecordedCall
from .faults import ApiFault

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
JSON_TYPE = "application/x-amz-json-1.1"
log = logging.getLogger(__name__)
_CREDENTIAL = re.compile(r"Credential=([^/]+)/[^/]+/([^/]+)/([^/]+)/")


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One request, identified: signing service, operation, JSON params, account, region."""

    service: str
    operation: str
    account: str
    region: str
    params: dict[str, Any] = field(default_factory=dict)


class ApiError(Exception):
    """Answer the request with an AWS JSON error."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


class Hooks(Protocol):
    def before(self, call: ApiCall) -> dict[str, Any] | None:
        """Answer the call (a JSON body) instead of moto, or return None to let moto answer."""

    def after(self, call: ApiCall, payload: bytes) -> bytes:
        """Amend moto's successful answer (returned unchanged when there is nothing to do)."""


class EmulatorMiddleware:
    def __init__(
        self,
        app: WsgiApp,
        lock: threading.RLock,
        calls: CallRecorder,
        hooks: Hooks,
        settled: Callable[[], None] = lambda: None,
        api_faults: Callable[[str, str], ApiFault | None] = lambda service, operation: None,
    ) -> None:
        self._app = app
        self._lock = lock
        self._calls = calls
        self._hooks = hooks
        self._settled = settled  # called under the lock after every API request
        self._api_faults = api_faults  # the injected fault that hits a call, if any

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        body = _read_body(environ)
        call = identify(environ, body)
        fault = self._api_faults(call.service, call.operation) if call is not None else None
        if call is not None:
            self._calls.record(
                RecordedCall(
                    call.service,
                    call.operation,
                    time.monotonic(),
                    fault.kind if fault is not None else None,
                    call.params,
                )
            )
        if fault is not None and call is not None:
            if fault.kind == "slow":
                time.sleep(fault.delay)  # outside the lock: the scheduler and others go on
            else:
                # Failed before moto sees it: a mutating call is not applied.
                return _faulted(fault, call, environ, start_response)
        with self._lock:
            try:
                status, headers, payload = self._answer(call, environ)
            finally:
                if call is not None:
                    self._settled()
        start_response(status, headers)
        return [payload]

    def _answer(
        self, call: ApiCall | None, environ: dict[str, Any]
    ) -> tuple[str, list[tuple[str, str]], bytes]:
        try:
            answer = self._hooks.before(call) if call is not None else None
        except ApiError as error:
            return _json(error.status, _error_body(error))
        if answer is not None:
            return _json(200, answer)
        try:
            status, headers, payload = _run(self._app, environ)
        except NotImplementedError as error:
            # moto lacks the operation. Give the 500 page werkzeug would give, without
            # its traceback on stderr for every call.
            log.warning("%s", error)
            status, headers, payload = _run(InternalServerError(), environ)
        if call is not None and status.startswith("200"):
            amended = self._hooks.after(call, payload)
            if amended is not payload:
                payload = amended
                headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
                headers.append(("Content-Length", str(len(payload))))
        return status, headers, payload


def _faulted(
    fault: ApiFault, call: ApiCall, environ: dict[str, Any], start_response: Callable[..., Any]
) -> Iterable[bytes]:
    """The answer an injected fault gives (AWS JSON errors), or a reset connection."""
    if fault.kind == "reset":
        _reset(environ)
        # werkzeug treats ConnectionError from the app as a dropped connection: no answer.
        raise ConnectionResetError("emulator: injected connection reset")
    if fault.kind == "throttle":
        # ECS/CodeDeploy/Logs throttling: HTTP 400 ThrottlingException "Rate exceeded"
        # (botocore retries it: _retry.json "throttling_exception").
        error = ApiError("ThrottlingException", "Rate exceeded", 400)
    elif fault.kind == "500":
        # ECS models ServerException (HTTP 500, "These errors are usually caused by a server
        # issue."); other services answer AWS's common InternalFailure.
        code = "ServerException" if call.service == "ecs" else "InternalFailure"
        error = ApiError(code, "Service encountered an unexpected error.", 500)
    else:
        # AWS common error ServiceUnavailable, HTTP 503 (botocore retries any 503).
        error = ApiError("ServiceUnavailableException", "Service Unavailable", 503)
    status, headers, payload = _json(error.status, _error_body(error))
    start_response(status, headers)
    return [payload]


def _reset(environ: dict[str, Any]) -> None:
    """Close the client's connection answering nothing (SO_LINGER 0: the server's final
    close sends a TCP reset)."""
    connection = environ.get("werkzeug.socket")
    if not isinstance(connection, socket.socket):
        return
    try:
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def identify(environ: dict[str, Any], body: bytes) -> ApiCall | None:
    """Service and operation of a signed AWS request; None for anything else."""
    match = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    if match is None:
        return None
    access_key, region, service = match.groups()
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    params: dict[str, Any] = {}
    if target:
        operation = target.rsplit(".", 1)[-1]
        try:
            loaded = json.loads(body or b"{}")
        except ValueError:
            loaded = {}
        params = loaded if isinstance(loaded, dict) else {}
    else:
        form = parse_qs(body.decode("utf-8", "replace")) if body else {}
        query = parse_qs(environ.get("QUERY_STRING", ""))
        action = (form.get("Action") or query.get("Action") or [""])[0]
        operation = action or f"{environ.get('REQUEST_METHOD', 'GET')} {environ.get('PATH_INFO')}"
    return ApiCall(service, operation, _account(environ, access_key), region, params)


def _account(environ: dict[str, Any], access_key: str) -> str:
    """The account moto will use for this request (same order of precedence as moto)."""
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    if environ.get("HTTP_X_MOTO_ACCOUNT_ID"):
        return str(environ["HTTP_X_MOTO_ACCOUNT_ID"])
    from moto.iam.models import get_account_id_from

    return get_account_id_from(access_key)


def _read_body(environ: dict[str, Any]) -> bytes:
    """Read the body once and put it back for moto."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _run(app: WsgiApp, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    """Call moto and buffer its whole answer (so it is built while the lock is held)."""
    captured: dict[str, Any] = {}
    chunks: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured["status"], captured["headers"] = status, list(headers)
        return chunks.append

    result = app(environ, start_response)
    try:
        chunks.extend(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return captured["status"], captured["headers"], b"".join(chunks)


def _json(status: int, body: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    payload = json.dumps(body, default=str).encode()
    reason = _REASONS.get(status, "Bad Request")
    headers = [("Content-Type", JSON_TYPE), ("Content-Length", str(len(payload)))]
    return f"{status} {reason}", headers, payload


_REASONS = {200: "OK", 500: "Internal Server Error", 503: "Service Unavailable"}


def _error_body(error: ApiError) -> dict[str, Any]:
    return {"__type": error.code, "message": error.message}
