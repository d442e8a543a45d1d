"""keep-revisions and the tags on revisions a run registers.

Sources: the ECS API reference: ListTaskDefinitions (familyPrefix "The full family name",
status ACTIVE, sort DESC lists "the newest task definitions in a family ... first"),
DeregisterTaskDefinition ("Existing tasks and services that reference an INACTIVE task
definition continue to run", but "you can't update an existing service to reference an
INACTIVE task definition": why a rollback target is never deregistered); the `Tag` shape of
botocore's ecs model (50 tags, 128/256 characters, the reserved `aws:` prefix).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from ecs_deploy.emulator import Fault
from tests.e2e.action import ActionRun
from tests.e2e.conftest import service_of
from tests.e2e.test_bad_input import assert_rejected

FAST = {"poll-interval": "0.2s", "timeout": "60s"}
WEB = {"config": ".ecs-deploy.yml", "service": "web", **FAST}
REGISTRY = "registry.example.com:5000/team/web"


def revision(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def active_web_revisions(app: Any) -> list[str]:
    listed = app.client("ecs").list_task_definitions(familyPrefix="web", status="ACTIVE")
    return sorted(
        (revision(arn) for arn in listed["taskDefinitionArns"]),
        key=lambda name: int(name.split(":")[1]),
    )


def register_web(app: Any, fault: str | None = None) -> str:
    """Another revision of web; `fault`: a docker label that tells the emulator how it runs."""
    ecs = app.client("ecs")
    current = service_of(app, "web")["taskDefinition"]
    definition = ecs.describe_task_definition(taskDefinition=current)["taskDefinition"]
    containers = [dict(c) for c in definition["containerDefinitions"]]
    if fault is not None:
        containers[0]["dockerLabels"] = {"emulator.fault": fault}
    registered = ecs.register_task_definition(
        family="web",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        executionRoleArn=definition["executionRoleArn"],
        containerDefinitions=containers,
    )
    return str(registered["taskDefinition"]["taskDefinitionArn"])


def web_in_use_elsewhere(app: Any) -> dict[str, str]:
    """web:2 run by another service, web:3 by a standalone task still running, web:4 and
    web:5 by a service whose deployment from 4 to 5 never places a task (PRIMARY and ACTIVE),
    web:6 and web:7 run by nothing."""
    ecs = app.client("ecs")
    network = service_of(app, "web")["networkConfiguration"]
    arns = {
        "pinned": register_web(app),
        "task": register_web(app, "keep-running"),
        "moving_from": register_web(app),
        "moving_to": register_web(app, "never-placed"),
        "idle_a": register_web(app),
        "idle_b": register_web(app),
    }
    for name, arn in (("pinned", arns["pinned"]), ("moving", arns["moving_from"])):
        ecs.create_service(
            cluster="demo",
            serviceName=name,
            taskDefinition=arn,
            desiredCount=1,
            launchType="FARGATE",
            networkConfiguration=network,
        )
    ecs.run_task(
        cluster="demo",
        taskDefinition=arns["task"],
        launchType="FARGATE",
        networkConfiguration=network,
    )
    _wait(lambda: service_of(app, "moving")["runningCount"] == 1)
    ecs.update_service(cluster="demo", service="moving", taskDefinition=arns["moving_to"])
    _wait(lambda: len(service_of(app, "moving")["deployments"]) == 2)
    app.calls.clear()
    return arns


def _wait(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the emulator did not get there")
        time.sleep(0.05)


def test_keep_revisions_never_deregisters_what_runs_or_a_rollback_target(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    previous = service_of(app, "web")["taskDefinition"]  # web:1: what a rollback returns to
    elsewhere = web_in_use_elsewhere(app)
    run = action({**WEB, "image-tag": "v2", "keep-revisions": "1"})
    assert run.exit_code == 0, run.stdout + run.stderr
    new = run.outputs["task-definition-arn"]
    assert revision(new) == "web:8"
    deregistered = [p["taskDefinition"] for p in app.calls.params_of("DeregisterTaskDefinition")]
    # Only the two no service, deployment or task uses; the newest (ours) kept as asked.
    assert sorted(revision(arn) for arn in deregistered) == ["web:6", "web:7"]
    assert set(deregistered) == {elsewhere["idle_a"], elsewhere["idle_b"]}
    assert active_web_revisions(app) == ["web:1", "web:2", "web:3", "web:4", "web:5", "web:8"]
    assert revision(previous) in active_web_revisions(app)
    assert "keep-revisions: deregistered web:7, web:6" in run.stdout


def test_nothing_is_deregistered_after_a_failed_deployment(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    for _ in range(3):
        register_web(app)
    app.calls.clear()
    app.faults.set_for_image(f"{REGISTRY}:crash", Fault.CRASH)
    run = action({**WEB, "image-tag": "crash", "keep-revisions": "1"})
    assert run.exit_code == 1
    assert run.outputs["outcome"] == "rolled_back"
    assert app.calls.count("DeregisterTaskDefinition") == 0
    assert app.calls.count("ListTaskDefinitions") == 0
    assert len(active_web_revisions(app)) == 5
    assert "keep-revisions: nothing deregistered (outcome rolled_back)" in run.stdout


@pytest.mark.parametrize("operation", ["DeregisterTaskDefinition", "ListTaskDefinitions"])
def test_a_denied_clean_up_gives_one_warning_and_the_same_verdict(
    app: Any, action: Callable[..., ActionRun], operation: str
) -> None:
    for _ in range(2):
        register_web(app)
    app.calls.clear()
    app.faults.deny("ecs", operation)
    run = action({**WEB, "image-tag": "v2", "keep-revisions": "1"})
    assert run.exit_code == 0, run.stdout + run.stderr
    assert run.outputs["outcome"] == "succeeded"
    warnings = [line for line in run.stdout.splitlines() if line.startswith("::warning")]
    assert len(warnings) == 1 and f"ecs:{operation}" in warnings[0], run.stdout
    # Denied once, it stops: no second attempt, nothing deregistered.
    tried = 1 if operation == "DeregisterTaskDefinition" else 0
    assert app.calls.count("DeregisterTaskDefinition") == tried
    app.faults.clear()
    assert len(active_web_revisions(app)) == 4


def test_nothing_is_deregistered_when_what_runs_cannot_be_read(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    register_web(app)
    app.calls.clear()
    app.faults.deny("ecs", "ListServices")
    run = action({**WEB, "image-tag": "v2", "keep-revisions": "1"})
    assert run.exit_code == 0, run.stdout + run.stderr
    assert app.calls.count("DeregisterTaskDefinition") == 0
    assert "keep-revisions: nothing deregistered" in run.stdout


SHA = "0123456789abcdef0123456789abcdef01234567"
BUILD_ARN = "arn:aws:codebuild:us-east-1:123456789012:build/app:0f1e2d3c-aaaa-bbbb-cccc-0123"
PLATFORMS = {
    "github": (
        {
            "GITHUB_ACTIONS": "true",
            "GITHUB_SHA": SHA,
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_REPOSITORY": "org/app",
            "GITHUB_RUN_ID": "4242",
        },
        "https://github.com/org/app/actions/runs/4242",
    ),
    "gitlab": (
        {
            "GITLAB_CI": "true",
            "CI_COMMIT_SHA": SHA,
            "CI_JOB_URL": "https://gitlab.example.com/g/app/-/jobs/77",
        },
        "https://gitlab.example.com/g/app/-/jobs/77",
    ),
    # The console URL holds '?' and '#', which ECS tag values refuse: the build's ARN instead.
    "codebuild": (
        {
            "CODEBUILD_BUILD_ID": "app:0f1e2d3c-aaaa-bbbb-cccc-0123",
            "CODEBUILD_RESOLVED_SOURCE_VERSION": SHA,
            "CODEBUILD_BUILD_URL": "https://us-east-1.console.aws.amazon.com/codesuite/codebuild/"
            "123456789012/projects/app/build/app%3A0f1e/?region=us-east-1",
            "CODEBUILD_BUILD_ARN": BUILD_ARN,
        },
        BUILD_ARN,
    ),
}


@pytest.mark.parametrize("platform", list(PLATFORMS))
def test_revisions_this_run_registers_are_tagged_with_the_commit_and_the_run(
    app: Any, action: Callable[..., ActionRun], platform: str
) -> None:
    env, run_tag = PLATFORMS[platform]
    # Each platform as it runs: only GitHub's runner sets GITHUB_ACTIONS.
    run = action({**WEB, "image-tag": "v2"}, extra_env=env, github_actions=platform == "github")
    assert run.exit_code == 0, run.stdout + run.stderr
    [registered] = app.calls.params_of("RegisterTaskDefinition")
    assert {"key": "ecs-deploy:commit", "value": SHA} in registered["tags"]
    described = app.client("ecs").describe_task_definition(
        taskDefinition=run.outputs["task-definition-arn"], include=["TAGS"]
    )
    tags = {tag["key"]: tag["value"] for tag in described["tags"]}
    assert tags == {"ecs-deploy:commit": SHA, "ecs-deploy:run": run_tag}


def test_an_unchanged_revision_is_reused_whatever_the_commit(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    """Tags are not part of what makes a revision "changed": a re-run from another commit
    with the same task definition registers nothing."""
    first = action({**WEB, "image-tag": "v2"}, extra_env=PLATFORMS["github"][0])
    assert first.exit_code == 0, first.stdout + first.stderr
    again = action({**WEB, "image-tag": "v2"}, extra_env={"GITHUB_SHA": "f" * 40})
    assert again.exit_code == 0, again.stdout + again.stderr
    assert app.calls.count("RegisterTaskDefinition") == 1
    assert json.loads(again.outputs["services"])[0]["outcome"] == "unchanged"


def test_without_tag_resource_the_revision_is_registered_untagged_with_one_warning(
    app: Any, action: Callable[..., ActionRun]
) -> None:
    """Tags on RegisterTaskDefinition need ecs:TagResource too ("Grant permission to tag
    resources on creation", ECS developer guide); the official minimal policy lacks it."""
    app.faults.deny("ecs", "TagResource")
    run = action({**WEB, "image-tag": "v2"}, extra_env={"GITHUB_SHA": "abc123"})
    assert run.exit_code == 0, run.stdout + run.stderr
    assert run.outputs["outcome"] == "succeeded"
    warnings = [line for line in run.stdout.splitlines() if line.startswith("::warning")]
    assert len(warnings) == 1 and "ecs:TagResource" in warnings[0], run.stdout
    described = app.client("ecs").describe_task_definition(
        taskDefinition=run.outputs["task-definition-arn"], include=["TAGS"]
    )
    assert not described.get("tags")


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        # No service: nothing says where the family runs, and "default" would be a guess.
        (
            {"task-definition": "taskdefs/web.json", "cluster": "demo"},
            "keep-revisions needs service",
        ),
        # The service's cluster left to ECS's default: what runs elsewhere is not read.
        (
            {"service": "web", "container-name": "app", "image-tag": "v2"},
            "keep-revisions needs a cluster that is named",
        ),
    ],
    ids=["register-only", "no-cluster"],
)
def test_keep_revisions_is_refused_where_its_cluster_would_be_a_guess(
    app: Any, action: Callable[..., ActionRun], inputs: dict[str, str], expected: str
) -> None:
    run = action({**inputs, **FAST, "keep-revisions": "1"})
    assert_rejected(run, app, expected)  # exit 2, one line, no change in AWS
    assert app.calls.count("DeregisterTaskDefinition") == 0
