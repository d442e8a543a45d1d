"""How a run waits and retries: shared by `deploy` and `continue`, from the declared inputs."""

from __future__ import annotations

from dataclasses import dataclass

from ecs_deploy.config.readers import InputValues


@dataclass(frozen=True, slots=True)
class WaitSettings:
    wait: bool
    timeout_seconds: float
    poll_interval_seconds: float
    max_retries: int


def wait_settings(values: InputValues) -> WaitSettings:
    """`timeout` over `wait-for-minutes`; `wait-max-delay-seconds` caps the steady poll."""
    timeout = (
        float(values.get("timeout"))
        if values.given("timeout")
        else float(values.get("wait-for-minutes")) * 60
    )
    poll = float(values.get("poll-interval"))
    cap = values.get("wait-max-delay-seconds")
    if cap is not None:
        poll = min(poll, float(cap))
    return WaitSettings(
        wait=bool(values.get("wait-for-service-stability")),
        timeout_seconds=timeout,
        poll_interval_seconds=poll,
        max_retries=int(values.get("max-retries")),
    )
