"""botocore's service model, the source of truth for what ECS operations accept.

The plan layer receives these shapes as arguments (typed by `ecs_deploy.plan.shape.Shape`)
so that it never imports botocore itself.
"""

from __future__ import annotations

import functools

import botocore.session
from botocore.model import ServiceModel, StructureShape


@functools.lru_cache(maxsize=1)
def _ecs_model() -> ServiceModel:
    # Loading the model reads and parses a large JSON file; it never changes within a process.
    return botocore.session.get_session().get_service_model("ecs")


def ecs_input_shape(operation: str) -> StructureShape:
    shape: StructureShape = _ecs_model().operation_model(operation).input_shape
    return shape


def register_task_definition_shape() -> StructureShape:
    """The input shape of ECS RegisterTaskDefinition in the installed botocore."""
    return ecs_input_shape("RegisterTaskDefinition")
