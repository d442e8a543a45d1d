"""An ECR push -> the services that run the pushed repository.

From the mapping ECS_DEPLOY_SERVICES (repository -> cluster/service names), or from the
services of an application file (ECS_DEPLOY_CONFIG: its cluster and service names). Either
way a listed service is deployed only when its live task definition runs the repository in
the pushed event's registry (updater.preflight decides, from the live revision).
"""

from __future__ import annotations

from ecs_deploy.config.appfile import load_app_file
from ecs_deploy.config.event_settings import EventSettings, ServiceTarget
from ecs_deploy.events.kinds import ImagePush
from ecs_deploy.events.updater import DeployRequest, ImageMatch


def push_requests(push: ImagePush, settings: EventSettings) -> tuple[DeployRequest, ...]:
    if push.tag is None:
        return ()
    image = ImageMatch(push.repository, push.registry)
    return tuple(
        DeployRequest(target.cluster, target.service, image, push.tag)
        for target in candidates(push.repository, settings)
    )


def candidates(repository: str, settings: EventSettings) -> tuple[ServiceTarget, ...]:
    mapped = settings.services_by_repository.get(repository, ())
    if settings.app_file is None:
        return mapped
    app = load_app_file(settings.app_file)
    cluster = app.cluster or "default"
    listed = tuple(ServiceTarget(cluster, service.name) for service in app.services)
    return tuple(dict.fromkeys((*mapped, *listed)))
