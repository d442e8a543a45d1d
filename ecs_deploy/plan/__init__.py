"""ecs_deploy.plan: pure planning. Task-definition rendering, image references and diffs.

Nothing here talks to AWS or imports boto3/botocore; the botocore model arrives as an
argument typed by `Shape`.
"""

from ecs_deploy.plan.diff import canonical, diff_lines, same_task_definition
from ecs_deploy.plan.image import ImageRef
from ecs_deploy.plan.shape import Shape
from ecs_deploy.plan.taskdef import (
    ImageChange,
    ImageReplacement,
    NormalizedTaskDefinition,
    RenderedTaskDefinition,
    UnwrappedTaskDefinition,
    normalize_for_register,
    render,
    replace_images,
    unwrap,
)

__all__ = [
    "ImageChange",
    "ImageRef",
    "ImageReplacement",
    "NormalizedTaskDefinition",
    "RenderedTaskDefinition",
    "Shape",
    "UnwrappedTaskDefinition",
    "canonical",
    "diff_lines",
    "normalize_for_register",
    "render",
    "replace_images",
    "same_task_definition",
    "unwrap",
]
