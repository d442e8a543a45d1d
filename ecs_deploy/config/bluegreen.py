"""Blue/green settings: the deployment mode, CodeDeploy's inputs, where to stop waiting, and
what `continue` sends. Typed and validated here; nothing talks to AWS.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from ecs_deploy.errors import InputError

DEFAULT_APPSPEC = "appspec.yaml"  # the official action's default
MAX_DESCRIPTION = 512  # CodeDeploy refuses longer deployment descriptions
# ECS-native blue/green lifecycle stages, in the order a deployment first passes them (botocore's
# ServiceDeploymentLifecycleStage, with the hook-only PRE_PRODUCTION_TRAFFIC_SHIFT of
# DeploymentLifecycleHookStage where it runs). LINEAR and CANARY repeat the production
# traffic-shift stages, so this order says where a stage first comes, not what comes next.
LIFECYCLE_STAGES = (
    "RECONCILE_SERVICE",
    "PRE_SCALE_UP",
    "SCALE_UP",
    "POST_SCALE_UP",
    "TEST_TRAFFIC_SHIFT",
    "POST_TEST_TRAFFIC_SHIFT",
    "PRE_PRODUCTION_TRAFFIC_SHIFT",
    "PRODUCTION_TRAFFIC_SHIFT",
    "POST_PRODUCTION_TRAFFIC_SHIFT",
    "BAKE_TIME",
    "CLEAN_UP",
)
WAIT_UNTIL_READY = "READY"  # CodeDeploy: Ready for test traffic; ECS: POST_TEST_TRAFFIC_SHIFT


class Mode(StrEnum):
    """What the user expects; the service's deployment controller decides, a mismatch fails."""

    AUTO = "auto"
    ECS = "ecs"  # the ECS controller: rolling, or ECS-native blue/green, linear, canary
    CODEDEPLOY = "codedeploy"


# `rolling` was the first name of `ecs`; it is still accepted (it read as "not blue/green",
# though ECS-native blue/green is deployed by the same controller).
_MODE_ALIASES = {"rolling": Mode.ECS}


class ContinueAction(StrEnum):
    CONTINUE = "CONTINUE"
    ROLLBACK = "ROLLBACK"


@dataclass(frozen=True, slots=True)
class CodeDeploySpec:
    """CodeDeploy settings of a service; None: the default, decided when the service is known."""

    appspec: Path | None = None
    appspec_required: bool = False  # named by the user: a missing file is an error
    application: str | None = None  # default AppECS-{cluster}-{service}
    deployment_group: str | None = None  # default DgpECS-{cluster}-{service}
    description: str | None = None
    deployment_config: str | None = None
    container_name: str | None = None
    container_port: int | None = None

    def over(self, base: CodeDeploySpec) -> CodeDeploySpec:
        """These values where set, else `base`'s (a service's own settings over the inputs')."""
        changes = {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if getattr(self, f.name) not in (None, False)
        }
        return dataclasses.replace(base, **changes)


@dataclass(frozen=True, slots=True)
class ContinueSpec:
    """`ecs-deploy continue`: a paused deployment and what to tell it."""

    deployment: str  # an ECS service deployment ARN or a CodeDeploy deployment id
    action: ContinueAction = ContinueAction.CONTINUE
    hook_id: str | None = None  # None: the hook awaiting action


def parse_mode(text: str | None, name: str = "mode") -> Mode | None:
    if text is None:
        return None
    word = text.strip().lower()
    try:
        return _MODE_ALIASES.get(word) or Mode(word)
    except ValueError:
        raise InputError(f"{name}: {text!r} must be ecs (or rolling), codedeploy or auto") from None


def parse_wait_until(text: str | None) -> str | None:
    """READY, or an ECS lifecycle stage; None (the default): wait for the final verdict."""
    if text is None:
        return None
    value = text.strip().upper().replace("-", "_")
    if value in ("", "DONE", "COMPLETE", "COMPLETED"):
        return None
    if value == WAIT_UNTIL_READY or value in LIFECYCLE_STAGES:
        return value
    raise InputError(
        f"wait-until: {text!r} must be ready or an ECS lifecycle stage "
        f"({', '.join(LIFECYCLE_STAGES)})"
    )


def parse_continue_action(text: str | None) -> ContinueAction:
    if text is None:
        return ContinueAction.CONTINUE
    try:
        return ContinueAction(text.strip().upper())
    except ValueError:
        raise InputError(f"continue-action: {text!r} must be CONTINUE or ROLLBACK") from None


def codedeploy_from_inputs(raw: Mapping[str, str], workspace: Path) -> CodeDeploySpec:
    """The codedeploy-* inputs (the official action's names and defaults)."""
    given = raw.get("codedeploy-appspec")
    appspec = Path(given).expanduser() if given else Path(DEFAULT_APPSPEC)
    return _checked(
        CodeDeploySpec(
            appspec=appspec if appspec.is_absolute() else workspace / appspec,
            appspec_required=given is not None,
            application=raw.get("codedeploy-application"),
            deployment_group=raw.get("codedeploy-deployment-group"),
            description=raw.get("codedeploy-deployment-description"),
            deployment_config=raw.get("codedeploy-deployment-config"),
            container_name=raw.get("codedeploy-container-name"),
            container_port=_port(raw.get("codedeploy-container-port"), "codedeploy-container-port"),
        )
    )


def codedeploy_from_file(item: Mapping[str, Any] | None, base_dir: Path) -> CodeDeploySpec:
    """A service's `codedeploy` mapping in the application file (already schema-checked)."""
    if not item:
        return CodeDeploySpec()
    appspec = item.get("appspec")
    path = Path(appspec) if appspec else None
    port = item.get("container_port")
    return _checked(
        CodeDeploySpec(
            appspec=None if path is None else path if path.is_absolute() else base_dir / path,
            appspec_required=path is not None,
            application=item.get("application"),
            deployment_group=item.get("deployment_group"),
            description=item.get("description"),
            deployment_config=item.get("deployment_config"),
            container_name=item.get("container_name"),
            container_port=int(port) if port is not None else None,
        )
    )


def _checked(spec: CodeDeploySpec) -> CodeDeploySpec:
    if spec.description is not None and len(spec.description) > MAX_DESCRIPTION:
        raise InputError(
            f"codedeploy-deployment-description is {len(spec.description)} characters; "
            f"CodeDeploy takes at most {MAX_DESCRIPTION}"
        )
    return spec


def _port(text: str | None, name: str) -> int | None:
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        raise InputError(f"{name}: {text!r} is not a port number") from None
    if not 1 <= value <= 65535:
        raise InputError(f"{name}: {text!r} must be between 1 and 65535")
    return value
