"""Promotion end to end: one application file deployed to test, then prod, on two clusters."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.action import ActionRun
from tests.e2e.conftest import images_of, service_of
from tests.e2e.pipelines import PROMOTION_APP
from tests.e2e.test_bad_input import assert_rejected
from tests.e2e.test_pipelines import seed_promotion
from tests.e2e.test_pipelines import web_container as app_container

SECRET_VALUE = "do-not-print-7f3a"  # an environment value: never in logs, summary or outputs


@pytest.fixture
def promoted(ecs_emulator: Any, workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    seed_promotion(ecs_emulator, workspace, tmp_path_factory.mktemp("seeds"))
    text = PROMOTION_APP.read_text().replace(
        "          LOG_LEVEL: info\n",
        f"          LOG_LEVEL: info\n          TOKEN: {SECRET_VALUE}\n",
    )
    assert SECRET_VALUE in text
    (workspace / ".ecs-deploy.yml").write_text(text)
    return ecs_emulator


def test_test_then_prod_each_with_its_overrides(
    promoted: Any, action: Callable[..., ActionRun]
) -> None:
    prod_before = service_of(promoted, "web", "app-prod")["taskDefinition"]

    test = action({"config": ".ecs-deploy.yml", "environment": "test", "image-tag": "v2"})
    assert test.exit_code == 0, test.stdout + test.stderr
    assert {s["cluster"] for s in json.loads(test.outputs["services"])} == {"app-test"}
    assert service_of(promoted, "web", "app-prod")["taskDefinition"] == prod_before  # untouched

    prod = action({"config": ".ecs-deploy.yml", "environment": "prod", "image-tag": "v2"})
    assert prod.exit_code == 0, prod.stdout + prod.stderr
    assert {s["cluster"] for s in json.loads(prod.outputs["services"])} == {"app-prod"}

    for cluster, count, level in (("app-test", 1, "debug"), ("app-prod", 3, "info")):
        web = service_of(promoted, "web", cluster)
        assert web["desiredCount"] == count
        assert images_of(promoted, web["taskDefinition"])["app"].endswith(":v2")
        assert {"name": "LOG_LEVEL", "value": level} in app_container(promoted, cluster)[
            "environment"
        ]
    assert service_of(promoted, "worker", "app-test")["desiredCount"] == 2  # seeded, left alone
    assert service_of(promoted, "worker", "app-prod")["desiredCount"] == 2
    assert {"name": "TOKEN", "value": SECRET_VALUE} in app_container(promoted, "app-prod")[
        "environment"
    ]
    for run in (test, prod):
        shown = run.stdout + run.stderr + run.summary + json.dumps(run.outputs)
        assert SECRET_VALUE not in shown


def test_inputs_win_over_the_environment(promoted: Any, action: Callable[..., ActionRun]) -> None:
    run = action(
        {
            "config": ".ecs-deploy.yml",
            "environment": "prod",
            "image-tag": "v2",
            "service": "web",
            "desired-count": "5",
        }
    )
    assert run.exit_code == 0, run.stdout + run.stderr
    assert service_of(promoted, "web", "app-prod")["desiredCount"] == 5


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        (
            {"environment": "staging"},
            ("environment 'staging' is not in .ecs-deploy.yml; it has prod, test", "line=10"),
        ),
        ({}, (".ecs-deploy.yml has environments (prod, test): give environment", "line=10")),
    ],
    ids=["unknown", "missing"],
)
def test_an_unknown_or_missing_environment_is_one_line_exit_2(
    promoted: Any,
    action: Callable[..., ActionRun],
    inputs: dict[str, str],
    expected: tuple[str, ...],
) -> None:
    run = action({"config": ".ecs-deploy.yml", "image-tag": "v2", **inputs})
    line = assert_rejected(run, promoted, *expected)
    assert "file=.ecs-deploy.yml" in line
    assert run.outputs["outcome"] == "invalid"


def test_environment_without_an_application_file_is_refused(
    promoted: Any, action: Callable[..., ActionRun]
) -> None:
    run = action(
        {
            "service": "web",
            "cluster": "app-test",
            "container-name": "app",
            "image-tag": "v2",
            "environment": "test",
        }
    )
    assert_rejected(run, promoted, "environment chooses an entry of the application file")


def _parameters(emulator: Any) -> dict[str, str]:
    ssm = emulator.client("ssm")
    found = ssm.describe_parameters().get("Parameters", [])
    return {p["Name"]: str(ssm.get_parameter(Name=p["Name"])["Parameter"]["Value"]) for p in found}


def test_each_environment_writes_its_own_image_tag_parameter(
    promoted: Any, action: Callable[..., ActionRun], workspace: Path
) -> None:
    """Terraform of each environment reads its own parameter: the test deploy must never
    write prod's (it would make prod's next apply deploy an image not yet promoted)."""
    app_file = workspace / ".ecs-deploy.yml"
    text = app_file.read_text()
    for env in ("test", "prod"):
        marker = f"    cluster: app-{env}\n    services:\n      web:\n"
        assert marker in text
        text = text.replace(marker, f"{marker}        image_tag_parameter: /app/{env}/image-tag\n")
    app_file.write_text(text)
    web = {"config": ".ecs-deploy.yml", "service": "web", "image-tag": "v2"}

    test = action({**web, "environment": "test"})
    assert test.exit_code == 0, test.stdout + test.stderr
    assert _parameters(promoted) == {"/app/test/image-tag": "v2"}

    prod = action({**web, "environment": "prod", "image-tag": "v3"})
    assert prod.exit_code == 0, prod.stdout + prod.stderr
    assert _parameters(promoted) == {"/app/test/image-tag": "v2", "/app/prod/image-tag": "v3"}

    # The input wins over the file's (and the environment's) parameter, as every input does.
    again = action({**web, "environment": "test", "image-tag-parameter": "/app/other/tag"})
    assert again.exit_code == 0, again.stdout + again.stderr
    assert _parameters(promoted) == {
        "/app/test/image-tag": "v2",
        "/app/prod/image-tag": "v3",
        "/app/other/tag": "v2",
    }


def test_an_environments_image_tag_parameter_is_checked_with_the_file(
    promoted: Any, action: Callable[..., ActionRun], workspace: Path
) -> None:
    app_file = workspace / ".ecs-deploy.yml"
    marker = "    cluster: app-prod\n    services:\n      web:\n"
    app_file.write_text(
        app_file.read_text().replace(marker, f"{marker}        image_tag_parameter: no-slash/x\n")
    )
    # prod's parameter name is wrong: the test deploy fails on it, before any change.
    run = action({"config": ".ecs-deploy.yml", "environment": "test", "image-tag": "v2"})
    assert_rejected(run, promoted, "environments.prod.services.web.image_tag_parameter")


def _active(emulator: Any, family: str) -> set[str]:
    listed = emulator.client("ecs").list_task_definitions(familyPrefix=family, status="ACTIVE")
    return {arn.rsplit("/", 1)[-1] for arn in listed["taskDefinitionArns"]}


def test_keep_revisions_in_test_never_deregisters_what_prod_runs(
    promoted: Any, action: Callable[..., ActionRun]
) -> None:
    """One file, one family, two clusters: the test deploy's clean-up reads what every
    environment's cluster runs (DeregisterTaskDefinition cannot be undone: prod could then
    neither scale out with a new task nor be updated back to it)."""
    base = {"config": ".ecs-deploy.yml", "service": "web"}
    prod = action({**base, "environment": "prod", "image-tag": "v2"})
    assert prod.exit_code == 0, prod.stdout + prod.stderr
    prod_runs = service_of(promoted, "web", "app-prod")["taskDefinition"].rsplit("/", 1)[-1]
    for tag in ("v3", "v4", "v5"):
        test = action({**base, "environment": "test", "image-tag": tag, "keep-revisions": "1"})
        assert test.exit_code == 0, test.stdout + test.stderr
    assert "keep-revisions: deregistered" in test.stdout  # the clean-up did run
    assert prod_runs in _active(promoted, "web")
    test_runs = service_of(promoted, "web", "app-test")["taskDefinition"].rsplit("/", 1)[-1]
    assert test_runs in _active(promoted, "web")


def test_keep_revisions_deregisters_nothing_when_one_environments_cluster_cannot_be_read(
    promoted: Any, action: Callable[..., ActionRun], workspace: Path
) -> None:
    app_file = workspace / ".ecs-deploy.yml"
    app_file.write_text(app_file.read_text().replace("cluster: app-prod", "cluster: app-gone"))
    base = {"config": ".ecs-deploy.yml", "service": "web", "environment": "test"}
    for tag in ("v3", "v4"):
        run = action({**base, "image-tag": tag, "keep-revisions": "1"})
        assert run.exit_code == 0, run.stdout + run.stderr
    assert promoted.calls.count("DeregisterTaskDefinition") == 0
    warnings = [line for line in run.stdout.splitlines() if line.startswith("::warning")]
    assert len(warnings) == 1, run.stdout
    assert "nothing deregistered" in warnings[0] and "app-gone" in warnings[0]
