"""Deploy an image tag to services, from an event: the updater payload or an ECR push.

Which containers change: those whose image is the repository named (ecs_image_name, or the
pushed repository in its ECR registry); their tag becomes the one given, registry and
repository kept. A service none of whose containers runs it is rejected (updater payload:
`image_name_rejected`) or skipped (a push: the mapping may name services of other images).

Everything is read and checked first (cluster, service, task definition, containers); then
the same runbook as the action registers the revision, updates the service and waits, within
the time budget, through the same trackers (deploy/runner.py). Tags are set on the service
once its update was accepted and did not fail.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from ecs_deploy.aws.errors import ACCESS_DENIED_CODES
from ecs_deploy.config.event_settings import EventSettings
from ecs_deploy.config.settings import ContainerSpec, ServiceSpec, Settings
from ecs_deploy.deploy.clock import Clock
from ecs_deploy.deploy.runner import Clients, run_deploy
from ecs_deploy.errors import AccessDenied, DeployError, EventError, PreflightError
from ecs_deploy.events.budget import TimeBudget
from ecs_deploy.events.response import EventResponse, Status
from ecs_deploy.plan.image import ImageRef
from ecs_deploy.report.console import Reporter
from ecs_deploy.results import Outcome, ServiceResult

CLUSTER_NOT_FOUND = "cluster_not_found"
SERVICE_NOT_FOUND = "service_not_found"
IMAGE_NAME_REJECTED = "image_name_rejected"
UPDATE_DENIED = "update_denied"
TAGGING_DENIED = "tagging_denied"
DEPLOYMENT_FAILED = "deployment_failed"
AWS_ERROR = "aws_error"
# Clusters deployed at once (each run updates its services in parallel too, runner.py):
# bounded, UpdateService is throttled per account.
MAX_PARALLEL_CLUSTERS = 4


@dataclass(frozen=True, slots=True)
class ImageMatch:
    """The repository whose containers change: with a registry, only there; without, any."""

    repository: str
    registry: str | None = None

    @classmethod
    def named(cls, name: str) -> ImageMatch:
        ref = ImageRef.parse(name)
        return cls(ref.repository, ref.domain)

    def matches(self, image: str) -> bool:
        try:
            ref = ImageRef.parse(image)
        except DeployError:
            return False  # a placeholder or other unparsable image is not this repository
        if ref.repository != self.repository:
            return False
        return self.registry is None or ref.domain == self.registry

    def __str__(self) -> str:
        return self.repository if self.registry is None else f"{self.registry}/{self.repository}"


@dataclass(frozen=True, slots=True)
class DeployRequest:
    cluster: str
    service: str
    image: ImageMatch
    tag: str
    tags: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Checked:
    """A request that passed preflight: the containers to change and the service's ARN."""

    request: DeployRequest
    spec: ServiceSpec
    service_arn: str


def preflight(
    request: DeployRequest, clients: Clients, *, skip_unmatched: bool = False
) -> Checked | None:
    """Cluster, service and containers, read and checked before any change.

    None (with `skip_unmatched`) for a service that does not run the image."""
    ecs = clients.ecs
    where = f"cluster '{request.cluster}'"
    try:
        cluster = ecs.describe_cluster(request.cluster)
    except AccessDenied:
        cluster = {"status": "ACTIVE"}  # DescribeServices names a missing cluster too
    if cluster is None or cluster.get("status") != "ACTIVE":
        state = "not found" if cluster is None else f"{cluster.get('status')}, not ACTIVE"
        raise EventError(CLUSTER_NOT_FOUND, f"{where} {state}")
    try:
        found, missing = ecs.describe_services(request.cluster, [request.service])
    except PreflightError as exc:  # ClusterNotFoundException
        raise EventError(CLUSTER_NOT_FOUND, str(exc)) from None
    service = found.get(request.service) or next(iter(found.values()), None)
    if missing or service is None or service.get("status") != "ACTIVE":
        state = "not found" if missing or service is None else f"{service.get('status')}"
        raise EventError(SERVICE_NOT_FOUND, f"service '{request.service}' {state} in {where}")
    definition, _ = ecs.describe_task_definition(str(service["taskDefinition"]))
    images = {
        str(c.get("name")): str(c.get("image", "")) for c in definition["containerDefinitions"]
    }
    chosen = [name for name, image in images.items() if request.image.matches(image)]
    if not chosen:
        if skip_unmatched:
            return None
        runs = ", ".join(f"{name}={_repository(image)}" for name, image in sorted(images.items()))
        raise EventError(
            IMAGE_NAME_REJECTED,
            f"image name '{request.image}': no container of service '{request.service}' runs "
            f"it (its containers run {runs})",
        )
    containers = tuple(
        ContainerSpec(name, image=str(ImageRef.parse(images[name]).with_tag(request.tag)))
        for name in chosen
    )
    spec = ServiceSpec(name=str(service["serviceName"]), containers=containers)
    return Checked(request, spec, str(service["serviceArn"]))


def _repository(image: str) -> str:
    try:
        return ImageRef.parse(image).name
    except DeployError:
        return "?"


def deploy(
    checked: Sequence[Checked],
    clients: Clients,
    reporter: Reporter,
    clock: Clock,
    budget: TimeBudget,
    settings: EventSettings,
    kind: str,
) -> EventResponse:
    """Deploy what preflight accepted within the budget: each cluster's run (the action's
    runbook, one cluster per run) at the same time, so no cluster's deployments start only
    after another's wait used up the function's time."""
    by_cluster: dict[str, list[Checked]] = {}
    for item in checked:
        by_cluster.setdefault(item.request.cluster, []).append(item)

    def run_cluster(cluster: str) -> list[ServiceResult]:
        run = Settings(
            cluster=cluster,
            services=tuple(item.spec for item in by_cluster[cluster]),
            timeout_seconds=budget.seconds_left(settings.timeout_seconds),
            poll_interval_seconds=settings.poll_interval_seconds,
            max_retries=settings.max_retries,
            region=settings.region,
            # A repeated event (at-least-once delivery, a retry) follows the deployment the
            # first one started instead of superseding it.
            follow_live_deployment=True,
        )
        outcome = run_deploy(run, clients, reporter, clock, wait_ends_at=budget.ends_at)
        handed = [_handed_off(result, budget) for result in outcome.services]
        for result, after in zip(outcome.services, handed, strict=True):
            if after is not result:
                reporter.info(f"{result.name}: {after.reason}")
        return handed

    clusters = list(by_cluster)
    if len(clusters) == 1:
        runs = [run_cluster(clusters[0])]
    else:
        with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL_CLUSTERS, len(clusters))) as pool:
            runs = list(pool.map(run_cluster, clusters))
    results = [result for run in runs for result in run]
    tagging = _tag(checked, results, clients, reporter)
    return _response(kind, tuple(results), tagging)


def _handed_off(result: ServiceResult, budget: TimeBudget) -> ServiceResult:
    """A deployment the budget ended the wait of goes on in ECS: its verdict comes with its
    state-change events (the second handler), so it is handed off, not timed out."""
    if result.outcome is not Outcome.TIMED_OUT or not budget.limited or not result.deployment_id:
        return result
    return replace(
        result,
        outcome=Outcome.STARTED,
        reason=(
            "handed off: the function's time ran out before ECS gave a verdict; the "
            "deployment goes on, and the ECS Deployment State Change handler gives its verdict"
        ),
        forensics=None,
    )


def _tag(
    checked: Sequence[Checked],
    results: Sequence[ServiceResult],
    clients: Clients,
    reporter: Reporter,
) -> tuple[str, str] | None:
    """Tags on the services whose update was accepted and did not fail; the first problem."""
    landed = {(r.cluster, r.name) for r in results if r.outcome.ok}
    for item in checked:
        request = item.request
        if not request.tags or (request.cluster, item.spec.name) not in landed:
            continue
        try:
            clients.ecs.tag_resource(item.service_arn, request.tags)
        except AccessDenied as exc:
            reporter.error(f"{item.spec.name}: {exc}")
            return TAGGING_DENIED, f"{item.spec.name}: the service was updated, but {exc}"
        except DeployError as exc:
            reporter.error(f"{item.spec.name}: {exc}")
            return AWS_ERROR, f"{item.spec.name}: the service was updated, but {exc}"
        reporter.info(f"{item.spec.name}: tagged {', '.join(k for k, _ in request.tags)}")
    return None


def _response(
    kind: str, results: tuple[ServiceResult, ...], tagging: tuple[str, str] | None
) -> EventResponse:
    handed = tuple(str(r.deployment_id) for r in results if r.outcome is Outcome.STARTED)
    failed = [r for r in results if not r.outcome.ok]
    if failed:
        first = failed[0]
        error = UPDATE_DENIED if _denied(first) else DEPLOYMENT_FAILED
        message = f"{first.name}: {first.outcome.value}: {first.reason}"
        return EventResponse(kind, Status.FAILED, message, error, results, handed)
    if tagging is not None:
        return EventResponse(kind, Status.FAILED, tagging[1], tagging[0], results, handed)
    if handed:
        message = f"started {len(results)} deployment(s); handed off {', '.join(handed)}"
        return EventResponse(kind, Status.HANDED_OFF, message, None, results, handed)
    names = ", ".join(f"{r.name}: {r.outcome.value}" for r in results)
    return EventResponse(kind, Status.SUCCEEDED, names or "nothing to deploy", None, results)


def _denied(result: ServiceResult) -> bool:
    """RegisterTaskDefinition or UpdateService refused by the IAM policy (the runner keeps
    the error's words: "UpdateService failed: AccessDeniedException: ...")."""
    reason = result.reason or ""
    return result.task_definition_arn is None and any(
        f"failed: {code}:" in reason for code in ACCESS_DENIED_CODES
    )
