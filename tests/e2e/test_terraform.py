"""Next to Terraform: a deploy changes only the task definition, deploys a revision Terraform
registered as it is, and writes the image tag Terraform reads (image-tag-parameter).

Sources: terraform-aws-modules/terraform-aws-ecs docs/README.md (the service module ignores
`desired_count`, with `ignore_task_definition_changes` also `task_definition` and
`load_balancer`; "the external party is also updating the image tag in a shared location that
can be retrieved by Terraform (here, we are using SSM Parameter Store)"); PutParameter in
botocore's ssm model (Name rules, Overwrite, Type); the UpdateService API reference (a member
not sent is left as it is; `volumeConfigurations` sent empty removes the EBS configuration,
aws-actions/amazon-ecs-deploy-task-definition#863).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ecs_deploy.emulator import Fault
from tests.e2e.action import ActionRun
from tests.e2e.conftest import images_of, service_of
from tests.e2e.history import rollout_at
from tests.e2e.terraform_setup import (
    AUTOSCALED_COUNT,
    CAPACITY,
    LOAD_BALANCERS,
    SERVICE,
    register_like_terraform,
    terraform_service,
)

FAST = {"poll-interval": "0.2s", "timeout": "60s"}
TF = {"cluster": "demo", "service": SERVICE, **FAST}
PARAMETER = "/my-app/image-tag"
DIGEST = "sha256:" + "ab" * 32
MUTATING = ("RegisterTaskDefinition", "UpdateService", "PutParameter", "DeregisterTaskDefinition")


def parameter_value(app: Any, name: str = PARAMETER) -> str | None:
    ssm = app.client("ssm")
    try:
        return str(ssm.get_parameter(Name=name)["Parameter"]["Value"])
    except ssm.exceptions.ParameterNotFound:
        return None


def write_services(workspace: Path, services: str) -> None:
    """The workspace's application file, cluster demo, with these `services:` entries."""
    (workspace / ".ecs-deploy.yml").write_text(f"version: v1\ncluster: demo\nservices:\n{services}")


# -- nothing Terraform owns changes -----------------------------------------------------------
def test_a_deploy_sends_only_the_task_definition_to_a_terraform_service(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    terraform_service(app)
    before = service_of(app, SERVICE)
    run = action({**TF, "image-tag": "2.0"})
    assert run.exit_code == 0, run.stdout + run.stderr
    assert run.outputs["outcome"] == "succeeded"
    [sent] = app.calls.params_of("UpdateService")
    # No desiredCount, loadBalancers, networkConfiguration, capacityProviderStrategy,
    # volumeConfigurations, serviceRegistries, placement or deploymentConfiguration.
    assert set(sent) == {"cluster", "service", "taskDefinition", "forceNewDeployment"}
    assert sent["taskDefinition"] == run.outputs["task-definition-arn"]
    after = service_of(app, SERVICE)
    assert after["taskDefinition"] == run.outputs["task-definition-arn"]
    assert after["desiredCount"] == AUTOSCALED_COUNT
    assert after["loadBalancers"] == LOAD_BALANCERS
    assert after["capacityProviderStrategy"] == CAPACITY
    assert after["networkConfiguration"] == before["networkConfiguration"]
    assert images_of(app, run.outputs["task-definition-arn"]) == {
        "app": "registry.example.com/team/tf:2.0"
    }


def test_only_what_an_input_asks_is_sent_besides_the_task_definition(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    terraform_service(app)
    volume = {"roleArn": "arn:aws:iam::123456789012:role/ecsInfrastructureRole", "sizeInGiB": 50}
    run = action(
        {
            **TF,
            "image-tag": "2.1",
            "desired-count": "4",
            "service-managed-ebs-volume-name": "data",
            "service-managed-ebs-volume": json.dumps(volume),
        }
    )
    assert run.exit_code == 0, run.stdout + run.stderr
    [sent] = app.calls.params_of("UpdateService")
    assert sent["desiredCount"] == 4
    assert sent["volumeConfigurations"] == [{"name": "data", "managedEBSVolume": volume}]
    assert not {"loadBalancers", "networkConfiguration", "capacityProviderStrategy"} & set(sent)


# -- a revision Terraform registered -----------------------------------------------------------
@pytest.mark.parametrize("named_as", ["family:revision", "arn"])
def test_a_revision_terraform_registered_is_deployed_without_registering_one(
    app: Any, action: Callable[..., ActionRun], named_as: str
) -> None:
    current = terraform_service(app)
    newer = register_like_terraform(app, "registry.example.com/team/tf:1.1", label="2")
    app.calls.clear()
    reference = newer.rsplit("/", 1)[-1] if named_as == "family:revision" else newer
    run = action({**TF, "task-definition": reference})
    assert run.exit_code == 0, run.stdout + run.stderr
    assert run.outputs["outcome"] == "succeeded"
    assert app.calls.count("RegisterTaskDefinition") == 0
    [sent] = app.calls.params_of("UpdateService")
    assert sent["taskDefinition"] == newer
    assert run.outputs["task-definition-arn"] == newer
    assert run.outputs["previous-task-definition-arn"] == current
    assert service_of(app, SERVICE)["taskDefinition"] == newer


def test_the_revision_the_service_runs_is_unchanged(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    current = terraform_service(app)
    run = action({**TF, "task-definition": current.rsplit("/", 1)[-1]})
    assert run.exit_code == 0, run.stdout + run.stderr
    assert run.outputs["outcome"] == "succeeded"
    assert json.loads(run.outputs["services"])[0]["outcome"] == "unchanged"
    assert app.calls.mutating("ecs") == []


def test_a_terraform_revision_with_a_new_tag_registers_one_from_it(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    terraform_service(app)
    newer = register_like_terraform(app, "registry.example.com/team/tf:1.1", label="2")
    app.calls.clear()
    run = action({**TF, "task-definition": newer, "image-tag": "1.2"})
    assert run.exit_code == 0, run.stdout + run.stderr
    [registered] = app.calls.params_of("RegisterTaskDefinition")
    # Started from Terraform's revision (its label), not from the service's.
    assert registered["containerDefinitions"][0]["dockerLabels"] == {"terraform.revision": "2"}
    assert images_of(app, run.outputs["task-definition-arn"])["app"].endswith("tf:1.2")


# -- image-tag-parameter -----------------------------------------------------------------------
def test_the_tag_is_written_after_the_deployment_completed(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    terraform_service(app)
    run = action({**TF, "image-tag": "2.0", "image-tag-parameter": PARAMETER})
    assert run.exit_code == 0, run.stdout + run.stderr
    assert run.outputs["outcome"] == "succeeded"
    [put] = [c for c in app.calls.operations("ssm") if c.operation == "PutParameter"]
    assert put.params == {"Name": PARAMETER, "Value": "2.0", "Type": "String", "Overwrite": True}
    deployment = json.loads(run.outputs["services"])[0]["deployment_id"]
    assert put.at > rollout_at(app, deployment, "COMPLETED")
    assert parameter_value(app) == "2.0"
    # A second deploy overwrites it.
    again = action({**TF, "image-tag": "2.1", "image-tag-parameter": PARAMETER})
    assert again.exit_code == 0, again.stdout + again.stderr
    assert parameter_value(app) == "2.1"


def test_an_image_pinned_by_digest_writes_the_digest(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    terraform_service(app)
    image = f"registry.example.com/team/tf:2.0@{DIGEST}"
    run = action({**TF, "container-name": "app", "image": image, "image-tag-parameter": PARAMETER})
    assert run.exit_code == 0, run.stdout + run.stderr
    assert parameter_value(app) == DIGEST


def test_nothing_is_written_after_a_rolled_back_deployment(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    terraform_service(app)
    app.client("ssm").put_parameter(Name=PARAMETER, Value="1.0", Type="String")
    app.calls.clear()
    app.faults.set_for_image("registry.example.com/team/tf:crash", Fault.CRASH)
    run = action({**TF, "image-tag": "crash", "image-tag-parameter": PARAMETER})
    assert run.exit_code == 1
    assert run.outputs["outcome"] == "rolled_back"
    assert app.calls.count("PutParameter") == 0
    assert parameter_value(app) == "1.0"
    assert f"image tag parameter {PARAMETER} not written" in run.stdout


def test_nothing_is_written_for_a_deployment_not_waited_for(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    terraform_service(app)
    run = action(
        {
            **TF,
            "image-tag": "2.0",
            "image-tag-parameter": PARAMETER,
            "wait-for-service-stability": "false",
        }
    )
    assert run.exit_code == 0, run.stdout + run.stderr
    assert run.outputs["outcome"] == "started"
    assert app.calls.count("PutParameter") == 0


def test_a_denied_write_fails_the_step_but_not_the_deployment(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    terraform_service(app)
    app.faults.deny("ssm", "PutParameter")
    run = action({**TF, "image-tag": "2.0", "image-tag-parameter": PARAMETER})
    # The deployment landed: its outcome says so; the step fails, since Terraform would read
    # the old tag and deploy it again at its next apply.
    assert run.exit_code == 1
    assert run.outputs["outcome"] == "succeeded"
    assert json.loads(run.outputs["services"])[0]["outcome"] == "succeeded"
    assert service_of(app, SERVICE)["taskDefinition"] == run.outputs["task-definition-arn"]
    errors = [line for line in run.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 1, run.stdout
    assert "ssm:PutParameter" in errors[0] and "the deployment landed" in errors[0]
    assert "Traceback" not in run.stdout + run.stderr
    assert f"image tag parameter {PARAMETER} was not written" in run.summary
    # Allowed again, a re-run deploys nothing and writes the parameter.
    app.faults.clear()
    again = action({**TF, "image-tag": "2.0", "image-tag-parameter": PARAMETER})
    assert again.exit_code == 0, again.stdout + again.stderr
    assert json.loads(again.outputs["services"])[0]["outcome"] == "unchanged"
    assert parameter_value(app) == "2.0"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("aws-image-tag", "reserved by AWS"),
        ("/SSM/app/tag", "reserved by AWS"),
        ("my-app/image-tag", "starts with '/'"),
        ("/my app/tag", "only letters"),
        ("/my-app//tag", "empty"),
        ("arn:aws:ssm:us-east-1:123456789012:parameter/my-app/tag", "not its ARN"),
        ("/" + "/".join(["l"] * 16), "15 hierarchy levels"),
    ],
)
def test_a_bad_parameter_name_changes_nothing(
    app: Any, action: Callable[..., ActionRun], name: str, problem: str
) -> None:
    terraform_service(app)
    run = action({**TF, "image-tag": "2.0", "image-tag-parameter": name})
    assert run.exit_code == 2
    assert run.outputs["outcome"] == "invalid"
    assert "image-tag-parameter" in run.stdout and problem in run.stdout, run.stdout
    assert [c for c in app.calls.operations() if c.operation in MUTATING] == []


def test_the_application_file_names_a_parameter_per_service(
    app: Any, action: Callable[..., ActionRun], workspace: Path
) -> None:
    write_services(
        workspace,
        "  - name: web\n"
        "    task_definition: taskdefs/web.json\n"
        "    containers: [app]\n"
        "    image_tag_parameter: /web/image-tag\n"
        "  - name: worker\n"
        "    containers: [worker]\n",
    )
    run = action({"config": ".ecs-deploy.yml", "image-tag": "v7", **FAST})
    assert run.exit_code == 0, run.stdout + run.stderr
    assert [p["Name"] for p in app.calls.params_of("PutParameter", "ssm")] == ["/web/image-tag"]
    assert parameter_value(app, "/web/image-tag") == "v7"  # the file's, for web only
    # The input wins over the file (docs/promotion.md: inputs win), for every service.
    run = action(
        {"config": ".ecs-deploy.yml", "image-tag": "v8", "image-tag-parameter": "/app/tag", **FAST}
    )
    assert run.exit_code == 0, run.stdout + run.stderr
    assert parameter_value(app, "/app/tag") == "v8"
    assert parameter_value(app, "/web/image-tag") == "v7"  # not written by the second run


def test_a_bad_name_in_the_application_file_is_shown_where_it_is(
    app: Any, action: Callable[..., ActionRun], workspace: Path
) -> None:
    write_services(
        workspace, "  - name: web\n    containers: [app]\n    image_tag_parameter: aws/web\n"
    )
    run = action({"config": ".ecs-deploy.yml", "image-tag": "v7", **FAST})
    assert run.exit_code == 2
    assert "file=.ecs-deploy.yml,line=6" in run.stdout, run.stdout
    assert "services[0].image_tag_parameter" in run.stdout
    assert app.calls.mutating() == []


def test_services_sharing_a_parameter_must_deploy_the_same_tag(
    app: Any, action: Callable[..., ActionRun], workspace: Path
) -> None:
    write_services(
        workspace,
        "  - name: web\n"
        "    task_definition: taskdefs/web.json\n"
        "    containers: [{name: app, image: 'registry.example.com:5000/team/web:3'}]\n"
        "  - name: worker\n"
        "    containers: [{name: worker, image: 'registry.example.com/worker:4'}]\n",
    )
    run = action({"config": ".ecs-deploy.yml", "image-tag-parameter": PARAMETER, **FAST})
    assert run.exit_code == 2
    assert "deploy different tags (3, 4)" in run.stdout, run.stdout
    assert app.calls.mutating() == []
