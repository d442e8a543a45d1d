"""Clients: one boto3 session, retries that survive throttling, one user agent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.config
import botocore.exceptions

from ecs_deploy import __version__
from ecs_deploy.aws.services import CALLED_SERVICES
from ecs_deploy.errors import InputError

# Adaptive mode adds client-side rate limiting on throttling errors, which matters when
# several services are watched at once in an account shared with other pipelines.
DEFAULT_MAX_RETRIES = 8


def _client_config(max_retries: int) -> botocore.config.Config:
    """botocore's `max_attempts` counts retries, not the first attempt (max-retries: 0 is none)."""
    return botocore.config.Config(
        retries={"mode": "adaptive", "max_attempts": max_retries},
        user_agent_extra=f"ecs-deploy/{__version__}",
        connect_timeout=10,
        read_timeout=30,
    )


@dataclass
class AwsSession:
    """Lazily created clients sharing one session (botocore honours AWS_ENDPOINT_URL)."""

    region: str | None = None
    max_retries: int = DEFAULT_MAX_RETRIES  # the max-retries input
    _session: Any = field(default=None, init=False, repr=False)

    def client(self, service: str, region: str | None = None) -> Any:
        """A client in the session's region, or in `region` (logs kept elsewhere)."""
        if service not in CALLED_SERVICES:  # the image would lack its botocore model
            raise ValueError(f"{service!r} is not in ecs_deploy.aws.services.CALLED_SERVICES")
        if self._session is None:
            self._session = boto3.session.Session(region_name=self.region)
        try:
            config = _client_config(self.max_retries)
            return self._session.client(service, region_name=region, config=config)
        except botocore.exceptions.NoRegionError:
            raise InputError(
                "no AWS region configured: set AWS_REGION "
                "(aws-actions/configure-aws-credentials does)"
            ) from None

    def renewed(self, service: str) -> Any:
        """A client from a new session: the default chain again (expired web-identity or SSO)."""
        self._session = None
        return self.client(service)

    def ecs(self) -> Any:
        return self.client("ecs")

    def logs(self, region: str | None = None) -> Any:
        return self.client("logs", region)

    def codedeploy(self) -> Any:
        return self.client("codedeploy")

    def ssm(self) -> Any:
        return self.client("ssm")
