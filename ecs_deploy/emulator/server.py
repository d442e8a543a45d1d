"""A threaded HTTP server for a WSGI app, on a thread of its own."""

from __future__ import annotations

import threading
from typing import Any

from moto.moto_server.werkzeug_app import MotoRequestHandler
from werkzeug.serving import BaseWSGIServer, make_server

from ecs_deploy.errors import InputError


class _QuietHandler(MotoRequestHandler):
    """moto's handler (it keeps header spellings S3 needs) without a log line per request."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class WsgiServer:
    def __init__(self, app: Any, host: str, port: int) -> None:
        if not 0 <= port <= 65535:
            raise InputError(f"port {port} is out of range (0-65535; 0 picks a free one)")
        self._app = app
        self._host = host
        self._port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        try:
            self._server = make_server(
                self._host, self._port, self._app, threaded=True, request_handler=_QuietHandler
            )
        except OSError as exc:
            raise InputError(f"cannot listen on {self._host}:{self._port}: {exc}") from exc
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="ecs-emulator-http", daemon=True
        )
        self._thread.start()

    @property
    def address(self) -> tuple[str, int]:
        if self._server is None:
            raise RuntimeError("the server is not started")
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None
