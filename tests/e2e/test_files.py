"""Files as people keep them: byte-order marks, placeholder images, keys ECS does not know."""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.action import ActionRun
from tests.e2e.blue_green_setup import codedeploy_service, deploy_api, sent_appspec
from tests.e2e.conftest import WEB_TASK_DEFINITION, images_of, service_of
from tests.e2e.test_bad_input import SINGLE, assert_rejected

NEW_IMAGE = "registry.example.com:5000/team/web:2.0"


def with_bom(path: Path, text: str) -> None:
    path.write_bytes(codecs.BOM_UTF8 + text.encode())


def web_definition(**app_container: Any) -> dict[str, Any]:
    definition = json.loads(json.dumps(WEB_TASK_DEFINITION))
    definition["containerDefinitions"][0].update(app_container)
    return definition


@pytest.mark.parametrize("name", ["taskdefs/web.json", "taskdefs/web.yaml"])
def test_a_task_definition_file_with_a_byte_order_mark_deploys(
    app: Any, action: Callable[..., ActionRun], workspace: Path, name: str
) -> None:
    definition = web_definition()
    text = json.dumps(definition) if name.endswith(".json") else yaml.safe_dump(definition)
    with_bom(workspace / name, text)
    run = action({**SINGLE, "task-definition": name, "image": NEW_IMAGE})
    assert run.exit_code == 0, run.stdout + run.stderr
    assert images_of(app, run.outputs["task-definition-arn"])["app"] == NEW_IMAGE


def test_an_application_file_with_a_byte_order_mark_deploys(
    app: Any, action: Callable[..., ActionRun], workspace: Path
) -> None:
    with_bom(
        workspace / "app.yml",
        "version: v1\ncluster: demo\nservices:\n"
        "  - name: web\n    task_definition: taskdefs/web.json\n    containers: [app]\n",
    )
    run = action({"config": "app.yml", "image-tag": "2.0"})
    assert run.exit_code == 0, run.stdout + run.stderr
    assert images_of(app, service_of(app, "web")["taskDefinition"])["app"] == NEW_IMAGE


def test_an_appspec_with_a_byte_order_mark_is_read(
    app: Any, action: Callable[..., ActionRun], workspace: Path
) -> None:
    with_bom(
        workspace / "appspec.yaml",
        "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n"
        "      Properties:\n        TaskDefinition: x\n"
        "        LoadBalancerInfo: {ContainerName: app, ContainerPort: 8080}\n",
    )
    codedeploy_service(app)
    run = deploy_api(action)
    assert run.exit_code == 0, run.stdout + run.stderr
    appspec, _ = sent_appspec(app, run.outputs["codedeploy-deployment-id"])
    assert appspec["version"] == 0.0
    properties = appspec["Resources"][0]["TargetService"]["Properties"]
    assert properties["TaskDefinition"] == run.outputs["task-definition-arn"]


@pytest.mark.parametrize(
    "image", ["<IMAGE>", "${IMAGE}", "PLACEHOLDER", "IMAGE_PLACEHOLDER", "{{image}}", ""]
)
def test_a_placeholder_image_no_input_fills_is_refused_before_any_change(
    app: Any, action: Callable[..., ActionRun], workspace: Path, image: str
) -> None:
    (workspace / "placeholder.json").write_text(json.dumps(web_definition(image=image), indent=2))
    inputs = {k: v for k, v in SINGLE.items() if k not in ("image", "container-name")}
    run = action({**inputs, "task-definition": "placeholder.json"})
    line = assert_rejected(run, app, "container 'app' has", "image and container-name: app")
    assert "file=placeholder.json,line=" in line
    assert app.calls.count("RegisterTaskDefinition") == 0
    assert run.outputs["outcome"] == "invalid"


def test_a_missing_image_in_the_application_files_service_names_its_containers_key(
    app: Any, action: Callable[..., ActionRun], workspace: Path
) -> None:
    definition = web_definition()
    del definition["containerDefinitions"][0]["image"]
    (workspace / "taskdefs" / "web.json").write_text(json.dumps(definition))
    run = action({"config": ".ecs-deploy.yml", "service": "web"})
    assert_rejected(run, app, "container 'app' has no image", "containers: [{name: app, image:")
    assert app.calls.count("RegisterTaskDefinition") == 0


def test_image_tag_does_not_fill_a_placeholder_repository(
    app: Any, action: Callable[..., ActionRun], workspace: Path
) -> None:
    (workspace / "placeholder.json").write_text(json.dumps(web_definition(image="<IMAGE>")))
    inputs = {k: v for k, v in SINGLE.items() if k != "image"}
    run = action({**inputs, "task-definition": "placeholder.json", "image-tag": "2.0"})
    assert_rejected(run, app, "image-tag changes only a tag")


def test_the_image_input_fills_a_placeholder(
    app: Any, action: Callable[..., ActionRun], workspace: Path
) -> None:
    (workspace / "placeholder.json").write_text(json.dumps(web_definition(image="<IMAGE>")))
    run = action({**SINGLE, "task-definition": "placeholder.json", "image": NEW_IMAGE})
    assert run.exit_code == 0, run.stdout + run.stderr
    assert images_of(app, run.outputs["task-definition-arn"])["app"] == NEW_IMAGE


def test_unknown_keys_are_dropped_with_one_warning_naming_each_at_its_line(
    app: Any, action: Callable[..., ActionRun], workspace: Path
) -> None:
    definition = web_definition(colour="blue")
    definition["containerDefinitions"][1]["healthcheck"] = {"command": ["true"]}  # typo
    definition["taskDefinitionArn"] = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:9"
    text = json.dumps(definition, indent=2)
    (workspace / "taskdefs" / "web.json").write_text(text)
    line_of = {
        key: text.splitlines().index(next(ln for ln in text.splitlines() if key in ln))
        for key in ('"colour"', '"healthcheck"')
    }
    run = action({**SINGLE, "image": NEW_IMAGE})
    assert run.exit_code == 0, run.stdout + run.stderr
    warnings = [ln for ln in run.stdout.splitlines() if ln.startswith("::warning")]
    assert len(warnings) == 1, run.stdout
    (warning,) = warnings
    colour, health = line_of['"colour"'] + 1, line_of['"healthcheck"'] + 1
    assert f"::warning file=taskdefs/web.json,line={colour}," in warning
    assert f"containerDefinitions[0].colour (taskdefs/web.json:{colour}:" in warning
    assert f"containerDefinitions[1].healthcheck (taskdefs/web.json:{health}:" in warning
    assert "taskDefinitionArn" not in warning  # describe output's fields go without a word
    registered = app.client("ecs").describe_task_definition(
        taskDefinition=run.outputs["task-definition-arn"]
    )["taskDefinition"]
    assert "colour" not in registered["containerDefinitions"][0]


def test_a_file_that_is_not_a_task_definition_is_not_echoed(
    app: Any, action: Callable[..., ActionRun], workspace: Path
) -> None:
    (workspace / "etc").mkdir()
    (workspace / "etc" / "passwd").write_text(
        "root:x:0:0:root:/root:/bin/bash\ndeploy:x:1000:1000::/home/deploy:/bin/sh\n"
    )
    run = action({**SINGLE, "task-definition": "etc/passwd"})
    assert_rejected(run, app, "expected a task definition")
    everything = run.stdout + run.stderr + run.summary + json.dumps(run.outputs)
    assert "root" not in everything and "/bin/" not in everything
