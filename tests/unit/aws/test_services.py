"""A client for a service the image has no botocore model for is refused, in every test."""

from __future__ import annotations

import pytest

from ecs_deploy.aws.services import CALLED_SERVICES
from ecs_deploy.aws.session import AwsSession


def test_a_client_outside_the_list_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match=r"'s3' is not in ecs_deploy\.aws\.services"):
        AwsSession(region="us-east-1").client("s3")


def test_listed_clients_are_made() -> None:
    session = AwsSession(region="us-east-1")
    for service in sorted(CALLED_SERVICES):
        assert session.client(service).meta.service_model.service_name == service
