"""Promotion: the application file's environments: entries, chosen by the environment input."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecs_deploy.config.appfile import load_app_file
from ecs_deploy.errors import InputError

APP = """\
version: v1
cluster: base
services:
  - name: web
    containers: [app]
    desired_count: 2
  - name: worker
environments:
  test:
    cluster: app-test
    services:
      web: {desired_count: 1, environment: {LOG_LEVEL: debug}}
  prod:
    services:
      web: {max_wait: 20}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / ".ecs-deploy.yml"
    path.write_text(text)
    return path


def test_the_chosen_environment_applies_over_the_file(tmp_path: Path) -> None:
    test = load_app_file(write(tmp_path, APP), "test")
    assert (test.environment, test.cluster) == ("test", "app-test")
    web, worker = test.services
    assert web.desired_count == 1
    assert web.changes.environment == (("LOG_LEVEL", "debug"),)
    assert worker.desired_count is None and worker.changes.empty

    prod = load_app_file(write(tmp_path, APP), "prod")
    assert prod.cluster == "base"  # no cluster of its own: the file's
    assert prod.services[0].desired_count == 2
    assert prod.services[0].max_wait_seconds == 20 * 60
    assert prod.services[0].changes.empty


@pytest.mark.parametrize(
    ("text", "chosen", "message", "line"),
    [
        (APP, "staging", "environment 'staging' is not in .ecs-deploy.yml; it has prod, test", 8),
        (APP, None, "has environments (prod, test): give environment to choose one", 8),
        (APP.split("environments:")[0], "test", "has no environments", 1),
        (
            APP + "  qa:\n    services:\n      api: {desired_count: 1}\n",
            "test",
            "environments.qa.services: 'api' is not a service of .ecs-deploy.yml",
            18,
        ),
        (
            APP + "  qa:\n    services:\n      worker: {environment: {A: b}}\n",
            "test",
            "worker.environment: the values go into the service's listed containers",
            18,
        ),
        (
            APP + "  qa:\n    services:\n      web: {environment: {PORT: 80}}\n",
            "qa",
            "environment values must be strings",
            18,
        ),
        (APP + "  qa:\n    colour: blue\n", "qa", "unknown key 'colour'", 17),
    ],
    ids=[
        "unknown",
        "not-chosen",
        "none-in-file",
        "unknown-service",
        "no-containers",
        "type",
        "key",
    ],
)
def test_a_bad_choice_or_entry_is_one_line_at_its_place(
    tmp_path: Path, text: str, chosen: str | None, message: str, line: int
) -> None:
    with pytest.raises(InputError) as caught:
        load_app_file(write(tmp_path, text), chosen)
    assert message in caught.value.message
    assert caught.value.location is not None and caught.value.location.line == line
