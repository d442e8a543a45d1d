"""The slice of botocore's model API that rendering needs, as a Protocol.

`plan` never imports botocore: the caller passes the RegisterTaskDefinition input shape in
(`ecs_deploy.aws.model.register_task_definition_shape()`), and tests may pass a small fake.
Attributes are only read where `type_name` says they exist, as on botocore's Shape classes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol


class Shape(Protocol):
    @property
    def name(self) -> str:
        """The model's name for the shape, e.g. 'KeyValuePair'."""

    @property
    def type_name(self) -> str:
        """'structure', 'list', 'map', 'string', 'integer', 'long', 'boolean', 'double', ..."""

    @property
    def members(self) -> Mapping[str, Shape]:
        """Structures: member name -> shape."""

    @property
    def required_members(self) -> Sequence[str]:
        """Structures: names of the members the API requires."""

    @property
    def member(self) -> Shape:
        """Lists: the element shape."""

    @property
    def key(self) -> Shape:
        """Maps: the key shape."""

    @property
    def value(self) -> Shape:
        """Maps: the value shape."""
