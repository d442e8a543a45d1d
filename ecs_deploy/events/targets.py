"""An ECR push -> the services that run the pushed repository.

From the mapping ECS_DEPLOY_SERVICES (repository -> cluster/service names), or from the
services of an application file (ECS_DEPLOY_CONFIG, its environment ECS_DEPLOY_ENVIRONMENT:
its cluster and service names). Either way a listed service is deployed only when its live
task definition runs the repository in the pushed event's registry (updater.preflight
decides, from the live revision). What else a file asks for an event does not do, so a file
asking for it is refused before any change rather than half honoured.
"""

from __future__ import annotations

from ecs_deploy.config.appfile import AppFile, load_app_file
from ecs_deploy.config.bluegreen import Mode
from ecs_deploy.config.event_settings import CONFIG_VARIABLE, EventSettings, ServiceTarget
from ecs_deploy.config.settings import ServiceSpec, TaskDefinitionChanges, TaskDefinitionSource
from ecs_deploy.errors import InputError
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
    app = load_app_file(settings.app_file, settings.environment)
    _check_honoured(app)
    if not app.cluster:
        # The action's "default" would be a guess: an event deploys only where it is told.
        raise InputError(f"{CONFIG_VARIABLE}: {app.path} names no cluster; give cluster:")
    listed = tuple(ServiceTarget(app.cluster, service.name) for service in app.services)
    return tuple(dict.fromkeys((*mapped, *listed)))


def _check_honoured(app: AppFile) -> None:
    unused = [
        key
        for key, asked in (
            ("tasks", bool(app.pre_tasks or app.post_tasks)),
            ("keep_revisions", app.keep_revisions is not None),
            ("rollback", app.rollback.on_failure),
        )
        if asked
    ]
    for service in app.services:
        unused += [f"services.{service.name}.{key}" for key in _service_keys(service)]
    if unused:
        raise InputError(
            f"{CONFIG_VARIABLE}: {app.path}: an event does not do {', '.join(unused)} "
            "(it deploys the pushed tag to the services' current task definitions only); "
            "remove them, or give the services in ECS_DEPLOY_SERVICES"
        )


def _service_keys(service: ServiceSpec) -> list[str]:
    defaults = ServiceSpec(name=service.name)
    return [
        key
        for key, asked in (
            ("task_definition", service.source != TaskDefinitionSource()),
            ("force", service.force_new_deployment),
            ("desired_count", service.desired_count is not None),
            ("max_wait", service.max_wait_seconds is not None),
            ("mode", service.mode is not Mode.AUTO),
            ("codedeploy", service.codedeploy != defaults.codedeploy),
            ("image_tag_parameter", service.image_tag_parameter is not None),
            ("environment", service.changes != TaskDefinitionChanges()),
        )
        if asked
    ]
