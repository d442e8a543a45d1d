"""Rolling deployments through entrypoint.py against the local ECS emulator."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.e2e.action import ActionRun
from tests.e2e.conftest import images_of, service_of

FAST = {"poll-interval": "0.2s", "timeout": "60s"}


def test_one_service_from_a_task_definition_file(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    previous = service_of(app, "web")["taskDefinition"]
    run = action(
        {
            "task-definition": "taskdefs/web.json",
            "service": "web",
            "cluster": "demo",
            "container-name": "app",
            "image": "registry.example.com:5000/team/web:2.0",
            "wait-for-service-stability": "true",
            **FAST,
        }
    )
    assert run.exit_code == 0, run.stdout + run.stderr
    assert run.outputs["outcome"] == "succeeded"
    new_arn = run.outputs["task-definition-arn"]
    assert run.outputs["previous-task-definition-arn"] == previous
    assert new_arn != previous
    service = service_of(app, "web")
    assert service["taskDefinition"] == new_arn
    assert [d["rolloutState"] for d in service["deployments"]] == ["COMPLETED"]
    assert images_of(app, new_arn) == {
        "app": "registry.example.com:5000/team/web:2.0",
        "log-router": "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0",
    }
    services = json.loads(run.outputs["services"])
    assert services == [
        {
            "name": "web",
            "cluster": "demo",
            "previous_task_definition_arn": previous,
            "task_definition_arn": new_arn,
            "outcome": "succeeded",
            "seconds": services[0]["seconds"],
            "deployment_id": services[0]["deployment_id"],
            "reason": services[0]["reason"],
            "rollback": None,
            "blue_green": None,
        }
    ]
    assert services[0]["deployment_id"].startswith("ecs-svc/")
    assert "| web | ✅ succeeded | `web:" in run.summary
    # Environment values never reach logs, outputs or the summary.
    for text in (run.stdout, run.stderr, run.summary, json.dumps(run.outputs)):
        assert "hunter2-do-not-print" not in text
    assert app.calls.count("UpdateService") == 1
    assert app.calls.count("RegisterTaskDefinition") == 1


def test_application_file_with_three_services(app: Any, action: Callable[..., ActionRun]) -> None:
    before = {
        name: service_of(app, name)["taskDefinition"] for name in ("web", "worker", "scheduler")
    }
    run = action({"config": ".ecs-deploy.yml", "image-tag": "v2", **FAST})
    assert run.exit_code == 0, run.stdout + run.stderr
    assert run.outputs["outcome"] == "succeeded"
    services = {s["name"]: s for s in json.loads(run.outputs["services"])}
    assert set(services) == {"web", "worker", "scheduler"}
    for name, container in (("web", "app"), ("worker", "worker"), ("scheduler", "scheduler")):
        result = services[name]
        assert result["outcome"] == "succeeded"
        assert result["previous_task_definition_arn"] == before[name]
        assert service_of(app, name)["taskDefinition"] == result["task_definition_arn"]
        image = images_of(app, result["task_definition_arn"])[container]
        assert image.endswith(":v2")
    # Tag-only change keeps registry, port and repository; the sidecar is not touched.
    web_images = images_of(app, services["web"]["task_definition_arn"])
    assert web_images["app"] == "registry.example.com:5000/team/web:v2"
    assert web_images["log-router"].endswith("aws-for-fluent-bit:2.32.0")
    assert app.calls.count("UpdateService") == 3
    assert app.calls.count("RegisterTaskDefinition") == 3
    summary_rows = [line for line in run.summary.splitlines() if line.startswith("|")]
    assert len(summary_rows) == 2 + 3  # header, separator, one row per service


def test_dry_run_prints_the_plan_and_changes_nothing(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    before = service_of(app, "web")["taskDefinition"]
    run = action({"config": ".ecs-deploy.yml", "image-tag": "v3", "dry-run": "true"})
    assert run.exit_code == 0, run.stdout + run.stderr
    assert (
        "app: registry.example.com:5000/team/web:1.0 -> registry.example.com:5000/team/web:v3"
        in run.stdout
    )
    assert '+      "image": "registry.example.com:5000/team/web:v3"' in run.stdout
    assert run.outputs["outcome"] == "planned"
    assert app.calls.mutating() == []
    assert service_of(app, "web")["taskDefinition"] == before
    assert "hunter2-do-not-print" not in run.stdout


def test_redeploying_the_same_image_registers_nothing(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    inputs = {"config": ".ecs-deploy.yml", "service": "web", "image-tag": "1.5", **FAST}
    first = action(inputs)
    assert first.exit_code == 0, first.stdout + first.stderr
    deployed = first.outputs["task-definition-arn"]
    app.calls.clear()

    second = action(inputs)
    assert second.exit_code == 0, second.stdout + second.stderr
    assert second.outputs["outcome"] == "succeeded"
    assert second.outputs["task-definition-arn"] == deployed
    assert json.loads(second.outputs["services"])[0]["outcome"] == "unchanged"
    assert app.calls.count("RegisterTaskDefinition") == 0
    assert app.calls.count("UpdateService") == 0


def test_force_new_deployment_reuses_the_revision(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    before = service_of(app, "worker")["taskDefinition"]
    run = action({"service": "worker", "cluster": "demo", "force-new-deployment": "true", **FAST})
    assert run.exit_code == 0, run.stdout + run.stderr
    assert run.outputs["task-definition-arn"] == before
    assert app.calls.count("RegisterTaskDefinition") == 0
    assert app.calls.count("UpdateService") == 1


def test_register_only_when_no_service_is_named(app: Any, action: Callable[..., ActionRun]) -> None:
    run = action(
        {"task-definition": "taskdefs/web.json", "container-name": "app", "image": "r/web:9"}
    )
    assert run.exit_code == 0, run.stdout + run.stderr
    assert images_of(app, run.outputs["task-definition-arn"])["app"] == "r/web:9"
    assert app.calls.count("UpdateService") == 0


def test_timeout_is_a_failure_with_exit_1(app: Any, action: Callable[..., ActionRun]) -> None:
    from ecs_deploy.emulator import Fault

    app.faults.set_for_image("registry.example.com:5000/team/web:stuck", Fault.NEVER_PLACED)
    run = action(
        {
            "config": ".ecs-deploy.yml",
            "service": "web",
            "image-tag": "stuck",
            "timeout": "2s",
            "poll-interval": "0.2s",
        }
    )
    assert run.exit_code == 1
    assert run.outputs["outcome"] == "timed_out"
    assert "::error::web: timed_out: no verdict after 2.0s" in run.stdout


def test_service_and_cluster_given_as_arns(app: Any, action: Callable[..., ActionRun]) -> None:
    from ecs_deploy.emulator import Fault

    cluster_arn = app.client("ecs").describe_clusters(clusters=["demo"])["clusters"][0]
    service_arn = service_of(app, "web")["serviceArn"]
    assert service_arn.startswith("arn:aws:ecs:") and service_arn.endswith("/web")
    app.faults.set_for_image("registry.example.com:5000/team/web:missing", Fault.PULL_FAILURE)
    run = action(
        {
            "task-definition": "taskdefs/web.json",
            "service": service_arn,
            "cluster": cluster_arn["clusterArn"],
            "container-name": "app",
            "image": "registry.example.com:5000/team/web:missing",
            **FAST,
        }
    )
    assert run.exit_code == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    [service] = json.loads(run.outputs["services"])
    assert (service["name"], service["outcome"]) == ("web", "failed")
    # Console links take the cluster's name, not its ARN.
    assert "console.aws.amazon.com/ecs/v2/clusters/demo/services/web/deployments" in run.summary


def test_render_action_inputs_change_the_named_containers(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    run = action(
        {
            "task-definition": "taskdefs/web.json",
            "service": "web",
            "cluster": "demo",
            "container-name": "app",
            "image": "registry.example.com:5000/team/web:4.0",
            "environment-variables": "FEATURE_URL=https://x.example/?a=b&c=d\nSECRET_ISH=s3cr3t-value",
            "secrets": "API_KEY=arn:aws:ssm:us-east-1:123456789012:parameter/new-api",
            "docker-labels": "release=4.0",
            "command": "bin/server --port 8080",
            "task-role-arn": "arn:aws:iam::123456789012:role/web-task",
            **FAST,
        }
    )
    assert run.exit_code == 0, run.stdout + run.stderr
    described = app.client("ecs").describe_task_definition(
        taskDefinition=run.outputs["task-definition-arn"]
    )["taskDefinition"]
    container = described["containerDefinitions"][0]
    environment = {e["name"]: e["value"] for e in container["environment"]}
    assert environment["FEATURE_URL"] == "https://x.example/?a=b&c=d"  # "=" in a value is kept
    assert environment["DATABASE_PASSWORD"] == "hunter2-do-not-print"  # untouched entries stay
    assert container["secrets"] == [
        {"name": "API_KEY", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/new-api"}
    ]
    assert container["dockerLabels"] == {"release": "4.0"}
    assert container["command"] == ["bin/server", "--port", "8080"]
    assert described["taskRoleArn"] == "arn:aws:iam::123456789012:role/web-task"
    assert "s3cr3t-value" not in run.stdout + run.summary + json.dumps(run.outputs)
