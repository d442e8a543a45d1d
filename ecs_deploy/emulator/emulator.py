"""The emulator: moto's server behind our middleware, plus the scheduler thread."""

from __future__ import annotations

import threading
from pathlib import Path
from types import TracebackType
from typing import Any

from botocore.config import Config
from moto.moto_api._internal.models import moto_api_backend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from ecs_deploy.errors import InputError

from . import engine
from .calls import CallRecorder
from .clock import EcsClock
from .faults import FaultBook
from .history import StateChange, StateHistory
from .hooks import EmulatorHooks
from .logs import CloudWatchLogSink
from .middleware import EmulatorMiddleware
from .modes import EmulatorModes, ModeSwitch
from .runtime import EmulatorRuntime
from .seeding import Seeded, seed_app_file
from .server import WsgiServer
from .ticker import Ticker

DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


class Emulator:
    """A local ECS (plus CodeDeploy, Logs and the rest of moto) that moves on its own.

    moto keeps its state in module-level backends, so one Emulator per process at a time.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        tick_seconds: float = 0.05,
        seconds_per_ecs_minute: float = 1.0,
        region: str = "us-east-1",
        service_deployments_api: bool = True,
        modes: EmulatorModes = EmulatorModes(),  # noqa: B008  (frozen: one shared default is safe)
    ) -> None:
        if not isinstance(modes, EmulatorModes):
            raise InputError("modes must be an EmulatorModes")
        self.region = region
        self.faults = FaultBook()
        self.calls = CallRecorder()
        self._history = StateHistory()
        self._tick_seconds = tick_seconds
        self._lock = threading.RLock()
        self._runtime = EmulatorRuntime(
            faults=self.faults,
            clock=EcsClock.scaled(tick_seconds, seconds_per_ecs_minute),
            logs=CloudWatchLogSink(),
            switch=ModeSwitch(modes),
        )
        self._modes = modes  # what reset() restores
        self._service_deployments_api = service_deployments_api  # what reset() restores
        self._hooks = EmulatorHooks(self._runtime, service_deployments_api)
        app = EmulatorMiddleware(
            DomainDispatcherApplication(create_backend_app),
            self._lock,
            self.calls,
            self._hooks,
            settled=self._observe,
            api_faults=self.faults.injected_for,
        )
        self._server = WsgiServer(app, host, port)
        self._ticker = Ticker(tick_seconds, self.tick)
        self._ticks = 0
        self._endpoint: str | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> Emulator:
        self._server.start()
        host, port = self._server.address
        self._endpoint = f"http://{host}:{port}"
        self._ticker.start()
        return self

    def stop(self) -> None:
        self._ticker.stop()
        self._server.stop()
        self._endpoint = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def endpoint_url(self) -> str:
        if self._endpoint is None:
            raise RuntimeError("the emulator is not started")
        return self._endpoint

    @property
    def ticks(self) -> int:
        """Scheduler ticks since start (or the last reset)."""
        return self._ticks

    @property
    def ecs_seconds_per_tick(self) -> float:
        return self._runtime.clock.ecs_seconds_per_tick

    @property
    def seconds_per_ecs_minute(self) -> float:
        """Wall seconds one ECS minute takes."""
        return self._runtime.clock.wall_seconds_per_ecs_second * 60.0

    @property
    def history(self) -> list[StateChange]:
        """Deployment status/rolloutState and service taskDefinition changes, oldest first."""
        return self._history.changes()

    @property
    def service_deployments_api(self) -> bool:
        """Whether List/DescribeServiceDeployments, StopServiceDeployment and
        DescribeServiceRevisions are served; off, they fail as moto's missing operations do."""
        return self._hooks.service_deployments_api

    @service_deployments_api.setter
    def service_deployments_api(self, enabled: bool) -> None:
        self._hooks.service_deployments_api = enabled

    @property
    def modes(self) -> EmulatorModes:
        """The AWS behaviours in force (see modes.py); settable at run time."""
        return self._runtime.switch.current

    @modes.setter
    def modes(self, modes: EmulatorModes) -> None:
        if not isinstance(modes, EmulatorModes):
            raise InputError("modes must be an EmulatorModes")
        with self._lock:
            self._runtime.switch.current = modes

    # -- driving ---------------------------------------------------------------------------
    def tick(self) -> None:
        """One scheduler step (the thread calls this; tests may too)."""
        with self._lock:
            engine.tick(self._runtime)
            self._ticks += 1
            self._observe()

    def _observe(self) -> None:
        self._history.observe(self._ticks)

    def reset(self) -> None:
        """Forget every resource, fault, recorded call and state change; switch the service
        deployments API and the modes back to what the constructor was given."""
        with self._lock:
            moto_api_backend.reset()
            self.faults.clear()
            self.calls.clear()
            self._history.clear()
            self._hooks.service_deployments_api = self._service_deployments_api
            self._runtime.switch.current = self._modes
            self._ticks = 0

    def seed(self, app_file: str | Path, timeout: float = 30.0) -> Seeded:
        """Create what an application file names and wait until its services are steady."""
        seeded = seed_app_file(self, Path(app_file), timeout)
        self.calls.clear()
        return seeded

    def client(self, service_name: str, **kwargs: Any) -> Any:
        """A boto3 client bound to the emulator (dummy credentials, no retries)."""
        import boto3

        options: dict[str, Any] = {
            "endpoint_url": self.endpoint_url,
            "region_name": self.region,
            "config": Config(retries={"total_max_attempts": 1, "mode": "standard"}),
            **DUMMY_CREDENTIALS,
        }
        options.update(kwargs)
        return boto3.client(service_name, **options)
