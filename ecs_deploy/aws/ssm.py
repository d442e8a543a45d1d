"""SSM Parameter Store: the one call a deploy makes there (the image tag Terraform reads)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ecs_deploy.aws.errors import aws_call


class SsmApi:
    """The client is made at the first call: most runs write no parameter, and making a
    client loads its service model (a noticeable part of a cold start)."""

    def __init__(self, make_client: Callable[[], Any]) -> None:
        self._make_client = make_client
        self._client: Any = None

    def put_string(self, name: str, value: str) -> int:
        """Create or overwrite a String parameter; the version it now has.

        Overwrite, because each deploy replaces the last one's value (without it PutParameter
        answers ParameterAlreadyExists for an existing name). Type is sent on every call: it
        is required to create a parameter and allowed when updating one (botocore's ssm
        model, PutParameter `Type`).
        """
        if self._client is None:
            self._client = self._make_client()
        with aws_call("PutParameter"):
            response = self._client.put_parameter(
                Name=name, Value=value, Type="String", Overwrite=True
            )
        return int(response.get("Version") or 0)
