"""image-tag-parameter: once a service runs what this run deployed, say so where Terraform reads.

Written only for services whose verdict is `succeeded` (or `unchanged`: the service already
runs it, and a re-run after a failed write heals the parameter); never after a failed,
timed-out, stalled, superseded or rolled-back deployment, nor one not waited for. A parameter
shared by services is written when every one of them landed.
"""

from __future__ import annotations

from collections.abc import Sequence

from ecs_deploy.aws.ssm import SsmApi
from ecs_deploy.errors import AccessDenied, DeployError
from ecs_deploy.plan.deployment import ServicePlan
from ecs_deploy.plan.image_tag_value import TagParameter
from ecs_deploy.report.console import Reporter
from ecs_deploy.results import Outcome, ParameterWrite, ServiceResult

LANDED = frozenset({Outcome.SUCCEEDED, Outcome.UNCHANGED})


def write_image_tag_parameters(
    plans: Sequence[ServicePlan],
    results: Sequence[ServiceResult],
    ssm: SsmApi | None,
    reporter: Reporter,
) -> tuple[ParameterWrite, ...]:
    outcomes = {result.name: result.outcome for result in results}
    users: dict[TagParameter, list[ServicePlan]] = {}
    for plan in plans:
        if plan.image_tag_parameter is not None:  # planning made shared ones agree on the value
            users.setdefault(plan.image_tag_parameter, []).append(plan)
    written: list[ParameterWrite] = []
    for parameter, services in users.items():
        name = parameter.name
        pending = [s.name for s in services if outcomes.get(s.name) not in LANDED]
        if pending:
            reason = _not_landed(pending, outcomes)
            reporter.info(f"image tag parameter {name} not written: {reason}")
            written.append(ParameterWrite(name, parameter.value, Outcome.SKIPPED, reason))
            continue
        written.append(_write(parameter, ssm, reporter))
    return tuple(written)


def _write(parameter: TagParameter, ssm: SsmApi | None, reporter: Reporter) -> ParameterWrite:
    name, value = parameter.name, parameter.value
    try:
        if ssm is None:
            raise DeployError("no SSM client")
        version = ssm.put_string(name, value)
    except DeployError as exc:
        hint = (
            " (allow ssm:PutParameter on this parameter)" if isinstance(exc, AccessDenied) else ""
        )
        reason = (
            f"the deployment landed, but image tag parameter {name} was not written: {exc}"
            f"{hint}; it still holds the previous tag, which Terraform would deploy again at "
            "its next apply. Fix it and re-run: the re-run changes nothing and writes it"
        )
        reporter.error(reason)
        return ParameterWrite(name, value, Outcome.FAILED, reason)
    reporter.info(f"image tag parameter {name} = {value} (version {version})")
    return ParameterWrite(name, value, Outcome.SUCCEEDED, f"version {version}")


def _not_landed(pending: Sequence[str], outcomes: dict[str, Outcome]) -> str:
    listed = ", ".join(f"{name} {outcomes.get(name, Outcome.SKIPPED).value}" for name in pending)
    return f"the deployment did not land ({listed})"
