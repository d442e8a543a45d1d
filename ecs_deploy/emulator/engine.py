"""One scheduler tick over every ECS and CodeDeploy backend moto holds."""

from __future__ import annotations

from moto.codedeploy.models import CodeDeployBackend, codedeploy_backends
from moto.ecs.models import EC2ContainerServiceBackend, ecs_backends

from . import codedeploy, services, tasks
from .moto_patches import patch_ecs_backend
from .runtime import EmulatorRuntime
from .task_model import EmulatedTask


def tick(runtime: EmulatorRuntime) -> None:
    """Advance the clock one step and move tasks, services and CodeDeploy deployments."""
    runtime.clock.advance()
    for _, _, backend in list(ecs_backends.iter_backends()):
        if not isinstance(backend, EC2ContainerServiceBackend):
            continue
        patch_ecs_backend(backend, runtime)
        for cluster_tasks in list(backend.tasks.values()):
            for task in list(cluster_tasks.values()):
                if isinstance(task, EmulatedTask):
                    tasks.advance(task, runtime.clock.now, runtime.logs)
        for service in list(backend.services.values()):
            services.step(backend, service, runtime)
    for _, _, deploy_backend in list(codedeploy_backends.iter_backends()):
        if isinstance(deploy_backend, CodeDeployBackend):
            codedeploy.step(deploy_backend, runtime)
