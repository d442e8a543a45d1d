"""cpu and memory spellings RegisterTaskDefinition accepts, in the form ECS returns."""

from __future__ import annotations

import pytest

from ecs_deploy.plan.units import cpu_units, memory_mib


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.25 vCPU", "256"), ("1 vCPU", "1024"), ("2vcpu", "2048"), ("256", "256"), (512, "512")],
)
def test_cpu_units(value: object, expected: str) -> None:
    assert cpu_units(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.5 GB", "512"), ("1GB", "1024"), ("2 GiB", "2048"), ("512 MiB", "512"), ("512", "512")],
)
def test_memory_mib(value: object, expected: str) -> None:
    assert memory_mib(value) == expected


@pytest.mark.parametrize("value", ["0.1 vCPU", "lots", True, None, [], "1 GB"])
def test_cpu_units_leaves_what_it_does_not_understand(value: object) -> None:
    assert cpu_units(value) is None
