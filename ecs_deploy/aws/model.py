"""botocore's service model, the source of truth for what RegisterTaskDefinition accepts.

The plan layer receives these shapes as arguments (typed by `ecs_deploy.plan.shape.Shape`)
so that it never imports botocore itself.
"""

from __future__ import annotations

import functools

import botocore.session
from botocore.model import StructureShape


@functools.lru_cache(maxsize=1)
def register_task_definition_shape() -> StructureShape:
    """The input shape of ECS RegisterTaskDefinition in the installed botocore.

    Loading the model reads and parses a large JSON file; it never changes within a process,
    so it is loaded once.
    """
    model = botocore.session.get_session().get_service_model("ecs")
    shape: StructureShape = model.operation_model("RegisterTaskDefinition").input_shape
    return shape
