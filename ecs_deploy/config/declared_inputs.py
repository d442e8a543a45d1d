"""Every input, once: the only place an input's name, kind, bounds, default and help are written.

action.yml's `inputs:` and the README's input table are generated from this list
(`scripts/gen-inputs.py --write`; a test fails when they drift).
"""

from __future__ import annotations

from ecs_deploy.config.declaration import (
    BOTH,
    CONTINUE_ONLY,
    Command,
    Input,
    Kind,
    Origin,
)

DEPLOY = Origin.DEPLOY_ACTION
RENDER = Origin.RENDER_ACTION
DAY = 24 * 3600.0
MIN_POLL_INTERVAL_SECONDS = 0.1  # shorter polls only spend the account's API rate

INPUTS: tuple[Input, ...] = (
    # What to deploy
    Input(
        "config",
        Kind.TEXT,
        "Application file (for example `.ecs-deploy.yml`, see below) listing the cluster, "
        "services, their containers and task definitions, and pre/post-deploy tasks, relative "
        "to the workspace. `cluster`, `service`, `image-tag`, `desired-count` and the wait "
        "settings apply on top of it. Without `config`, `service` and `task-definition`, "
        "`.ecs-deploy.yml` (or `.ecs-toolkit.yml`) in the workspace is used.",
    ),
    Input(
        "task-definition",
        Kind.TEXT,
        "A task definition file (JSON or YAML; `describe-task-definition` output accepted), or "
        "an existing one as a family, `family:revision` or ARN. Relative paths resolve against "
        "the workspace; an absolute path may be anywhere, such as the render action's output "
        "under `$RUNNER_TEMP`. Not combined with `config`, where each service names its own.",
        shown_default="the service's current revision",
        origin=DEPLOY,
    ),
    Input(
        "task-definition-arn",
        Kind.TEXT,
        "Start from this registered task definition (read from ECS with its tags) instead of "
        "a file. Not combined with `task-definition` or `task-definition-family`.",
        origin=RENDER,
    ),
    Input(
        "task-definition-family",
        Kind.TEXT,
        "Start from the latest revision of this family (or `task-definition-revision`), read "
        "from ECS with its tags, instead of a file.",
        origin=RENDER,
    ),
    Input(
        "task-definition-revision",
        Kind.INTEGER,
        "With `task-definition-family`: the revision to start from.",
        shown_default="the latest",
        origin=RENDER,
        minimum=1,
    ),
    Input(
        "service",
        Kind.COMMA_LIST,
        "The service to update. Without a service, the task definition is only registered. "
        "With `config`: deploy only these services of the file (comma list).",
        origin=DEPLOY,
    ),
    Input(
        "cluster",
        Kind.TEXT,
        "Cluster name or ARN.",
        shown_default="the application file's, else `default`",
        origin=DEPLOY,
    ),
    Input(
        "container-name",
        Kind.COMMA_LIST,
        "Containers whose image changes (comma list). Not combined with `config`.",
        origin=RENDER,
    ),
    Input(
        "image",
        Kind.TEXT,
        "The new image for `container-name`, such as "
        "`123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.2.3` or `...@sha256:...`.",
        origin=RENDER,
    ),
    Input(
        "image-tag",
        Kind.TEXT,
        "A new tag for the named containers (with `config`: every service's); registry, port "
        "and repository are kept, a digest is dropped. With one container it may be left "
        "unnamed. Not combined with `image`.",
        shown_default="in CodeBuild, `CODEBUILD_RESOLVED_SOURCE_VERSION` when containers are "
        "named without an image and nothing else changes them",
    ),
    Input(
        "image-definitions",
        Kind.TEXT,
        "CodePipeline's image file as the image source: `imagedefinitions.json` (a list of "
        '`{"name": container, "imageUri": image}`, each container given its image) or '
        '`imageDetail.json` (`{"ImageURI": image}`, for `container-name`), relative to the '
        "workspace. With `config`, the listed containers of services and tasks take theirs. "
        "A container the task definition lacks is an error (exit 2), as in CodePipeline. Not "
        "combined with `image` or `image-tag`.",
    ),
    Input(
        "environment",
        Kind.TEXT,
        "With `config`: the application file's `environments:` entry to deploy (for example "
        "`test`, then `prod`), whose cluster, counts and environment values apply over the "
        "file's. Required when the file has `environments:`.",
    ),
    # Outputs for other platforms
    Input(
        "exports-file",
        Kind.TEXT,
        "Also write the outputs to this file as `export ECS_DEPLOY_OUTCOME=...` shell lines "
        "(the file is replaced), for a CodeBuild buildspec to source so that "
        "`env: exported-variables` can export them.",
        commands=BOTH,
    ),
    Input(
        "dotenv-file",
        Kind.TEXT,
        "Also write the outputs to this file as a GitLab dotenv report (`ECS_DEPLOY_OUTCOME=...` "
        "lines; the file is replaced), for `artifacts: reports: dotenv`.",
        shown_default="in GitLab CI, `ecs-deploy.env` in the project folder",
        commands=BOTH,
    ),
    # Waiting
    Input(
        "wait-for-service-stability",
        Kind.BOOL,
        "Wait for the verdict of the deployment this run started, and fail the step when it "
        "fails or times out. `false`: outcome `started` once the service is updated.",
        default="true",
        origin=DEPLOY,
        commands=BOTH,
        flags=("wait",),
    ),
    Input(
        "wait-for-minutes",
        Kind.NUMBER,
        "How long to wait for the verdict, in minutes (at most a day). For CodeDeploy the "
        "deployment group's wait times are added, as the official action does.",
        default="30",
        origin=DEPLOY,
        minimum=0.1,
        maximum=DAY / 60,
        commands=BOTH,
    ),
    Input(
        "timeout",
        Kind.DURATION,
        "The same as a duration (`90s`, `10m`, `1h`); overrides `wait-for-minutes`.",
        minimum=1,
        maximum=DAY,
        commands=BOTH,
    ),
    Input(
        "poll-interval",
        Kind.DURATION,
        "Time between status polls (at least 100ms).",
        default="5s",
        minimum=MIN_POLL_INTERVAL_SECONDS,
        maximum=3600,
        commands=BOTH,
    ),
    Input(
        "wait-max-delay-seconds",
        Kind.INTEGER,
        "The longest time between two polls, in seconds. The official action's waiter backs "
        "off up to this delay; ecs-deploy polls at a steady `poll-interval`, so this caps it: "
        "the poll interval used is the smaller of the two.",
        shown_default="no cap",
        origin=DEPLOY,
        minimum=1,
        maximum=3600,
        commands=BOTH,
    ),
    Input(
        "max-retries",
        Kind.INTEGER,
        "How many times an AWS API call is retried after a throttling or transient error "
        "(botocore's retry `max_attempts`, adaptive mode). `0` means no retries (the official "
        "action turns `0` into 3).",
        default="8",
        origin=DEPLOY,
        minimum=0,
        maximum=50,
        commands=BOTH,
    ),
    # The service update
    Input(
        "force-new-deployment",
        Kind.BOOL,
        "Start a deployment even when the task definition is unchanged (to pull a mutable tag "
        "again).",
        default="false",
        origin=DEPLOY,
    ),
    Input(
        "desired-count",
        Kind.INTEGER,
        "Set the desired count. Left alone unless given (autoscaling or Terraform often own it).",
        shown_default="not changed",
        origin=DEPLOY,
        minimum=0,
        maximum=100000,
    ),
    Input(
        "enable-ecs-managed-tags",
        Kind.BOOL,
        "UpdateService (and `run-task`'s RunTask) `enableECSManagedTags`: ECS tags the tasks "
        "with `aws:ecs:clusterName` and `aws:ecs:serviceName`.",
        shown_default="not sent (the service keeps its setting)",
        origin=DEPLOY,
    ),
    Input(
        "propagate-tags",
        Kind.CHOICE,
        "UpdateService `propagateTags`: copy tags to the tasks from the `SERVICE` or the "
        "`TASK_DEFINITION`, or `NONE`.",
        shown_default="not sent (the service keeps its setting)",
        origin=DEPLOY,
        choices=("SERVICE", "TASK_DEFINITION", "NONE"),
    ),
    Input(
        "service-managed-ebs-volume-name",
        Kind.TEXT,
        "The task definition volume (`configuredAtLaunch: true`) that "
        "`service-managed-ebs-volume` configures; the two go together.",
        origin=DEPLOY,
    ),
    Input(
        "service-managed-ebs-volume",
        Kind.JSON_OBJECT,
        "UpdateService `volumeConfigurations`: the volume's `managedEBSVolume` as a JSON "
        "object (`roleArn` required; `sizeInGiB`, `volumeType`, `iops`, `throughput`, "
        "`encrypted`, `kmsKeyId`, `snapshotId`, `tagSpecifications`, `filesystemType`, ...). "
        "`volumeConfigurations` is never sent without it, so EBS settings managed elsewhere "
        "(Terraform) stay as they are.",
        origin=DEPLOY,
    ),
    # Next to Terraform, and revision hygiene
    Input(
        "image-tag-parameter",
        Kind.TEXT,
        "An SSM parameter (such as `/my-app/image-tag`) that gets the deployed image's tag, or "
        "its digest when the image is pinned by one, once the deployment succeeded (or the "
        "service already ran it); never after a failed, timed-out or rolled-back one. "
        "PutParameter, type `String`, overwritten. Terraform reads it (docs/terraform.md). A "
        "write that fails leaves the deployment in place and fails the step (exit 1). With "
        "`config`: for every service deployed, in place of the file's `image_tag_parameter:` "
        "(the service's or its environment's).",
    ),
    Input(
        "keep-revisions",
        Kind.INTEGER,
        "After a successful deploy, deregister older ACTIVE revisions of the task definition "
        "families this run registered, keeping the newest N. Never one that a service of the "
        "cluster or a task still running uses, nor the revision a service ran before this "
        "deploy. Also `keep_revisions:` in the application file. Needs a service and a named "
        "`cluster` (never ECS's default, a guess); with `environments:`, what every "
        "environment's cluster runs is kept too.",
        shown_default="keep all",
        minimum=1,
        maximum=10000,
    ),
    Input(
        "dry-run",
        Kind.BOOL,
        "Print the plan (image changes and a diff of each task definition) and change nothing.",
        default="false",
    ),
    Input(
        "keep-null-value-keys",
        Kind.COMMA_LIST,
        'Keys whose empty values (`""`, `[]`, `{}`) are kept in the task definition; other '
        "empty values are removed, as the official action does (nulls always go: "
        "RegisterTaskDefinition refuses them).",
        origin=DEPLOY,
    ),
    # Rollback and fail-fast
    Input(
        "rollback",
        Kind.CHOICE,
        "`on-failure`: when a deployment fails, stalls or times out, redeploy the revision the "
        "service ran before and wait for it. A rollback ECS's circuit breaker already made is "
        "never repeated. Also `rollback:` in the application file.",
        default="never",
        choices=("never", "on-failure"),
    ),
    Input(
        "rollback-scope",
        Kind.CHOICE,
        "`all`: also roll back the services of this run that succeeded, so the application "
        "returns to where it was. Also `rollback_scope:` in the application file.",
        default="failed",
        choices=("failed", "all"),
    ),
    Input(
        "max-start-failures",
        Kind.INTEGER,
        "Fail fast once this many tasks of the new revision failed to start for a cause no "
        "retry fixes (image or tag not found, registry or secret access denied, secret or "
        "parameter missing, wrong platform) while none of them runs. Causes ECS retries "
        "(Docker Hub's 429 rate limit, registry timeouts, Fargate capacity) are left to the "
        "service's circuit breaker and its threshold.",
        default="2",
        minimum=1,
        maximum=1000,
    ),
    Input(
        "placement-grace",
        Kind.DURATION,
        "Fail fast (`stalled`) when ECS cannot place tasks of the new revision for this long "
        "with no sign of progress (a task of the new revision pending, or more of them "
        "running, resets it: ECS does not repeat an event message it already showed).",
        default="2m",
        minimum=1,
        maximum=DAY,
    ),
    # Standalone tasks: the official action's one-task inputs
    Input(
        "run-task",
        Kind.BOOL,
        "Run the rendered task definition as a standalone task (a migration) before the "
        "service update. Without subnets, the service's network configuration is used. Not "
        "combined with `config`, whose `tasks.pre` and `tasks.post` do the same.",
        default="false",
        origin=DEPLOY,
    ),
    Input(
        "run-task-container-overrides",
        Kind.JSON_LIST,
        'RunTask `containerOverrides` as a JSON list, e.g. `[{"name": "app", "command": '
        '["bin/migrate"]}]`.',
        origin=DEPLOY,
    ),
    Input(
        "run-task-security-groups",
        Kind.COMMA_LIST,
        "Security groups of the task (comma list).",
        origin=DEPLOY,
    ),
    Input(
        "run-task-subnets",
        Kind.COMMA_LIST,
        "Subnets of the task (comma list).",
        origin=DEPLOY,
    ),
    Input(
        "run-task-assign-public-IP",
        Kind.CHOICE,
        "Whether the task's network interface gets a public IP.",
        default="DISABLED",
        origin=DEPLOY,
        choices=("ENABLED", "DISABLED"),
    ),
    Input(
        "run-task-capacity-provider-strategy",
        Kind.JSON_LIST,
        'Capacity providers as a JSON list of `{"capacityProvider", "weight", "base"}`; '
        "replaces the launch type.",
        origin=DEPLOY,
    ),
    Input(
        "run-task-launch-type",
        Kind.CHOICE,
        "The task's launch type.",
        default="FARGATE",
        origin=DEPLOY,
        choices=("FARGATE", "EC2", "EXTERNAL"),
    ),
    Input(
        "run-task-started-by",
        Kind.TEXT,
        "The task's `startedBy`.",
        default="GitHub-Actions",
        origin=DEPLOY,
    ),
    Input(
        "run-task-tags",
        Kind.JSON_LIST,
        'Tags of the task as a JSON list of `{"key", "value"}`.',
        origin=DEPLOY,
    ),
    Input(
        "run-task-managed-ebs-volume-name",
        Kind.TEXT,
        "The task definition volume (`configuredAtLaunch: true`) that "
        "`run-task-managed-ebs-volume` configures; the two go together.",
        origin=DEPLOY,
    ),
    Input(
        "run-task-managed-ebs-volume",
        Kind.JSON_OBJECT,
        "RunTask `volumeConfigurations`: the volume's `managedEBSVolume` as a JSON object "
        "(`roleArn` required), as for `service-managed-ebs-volume`.",
        origin=DEPLOY,
    ),
    Input(
        "wait-for-task-stopped",
        Kind.BOOL,
        "Wait for `run-task` to stop and require exit code 0 of every essential container "
        "before the service is updated (`false` starts it and goes on, as the official action "
        "does).",
        default="false",
        origin=DEPLOY,
    ),
    Input(
        "skip-pre-tasks",
        Kind.BOOL,
        "Do not run the application file's `tasks.pre`.",
        default="false",
    ),
    Input(
        "skip-post-tasks",
        Kind.BOOL,
        "Do not run the application file's `tasks.post`.",
        default="false",
    ),
    # The render action's edits, applied to container-name's containers
    Input(
        "environment-variables",
        Kind.LINES,
        "`KEY=value` lines set in the environment of the `container-name` containers: entries "
        "with the same name are replaced, others added; a value may contain `=`. Values are "
        "never printed.",
        origin=RENDER,
    ),
    Input(
        "secrets",
        Kind.LINES,
        "`KEY=valueFrom` lines (Secrets Manager or SSM parameter ARNs) set as the containers' "
        "secrets.",
        origin=RENDER,
    ),
    Input(
        "docker-labels",
        Kind.LINES,
        "`KEY=value` lines set as the containers' Docker labels.",
        origin=RENDER,
    ),
    Input(
        "command",
        Kind.TEXT,
        "The containers' command, split into words like a shell does (quotes group words).",
        origin=RENDER,
    ),
    Input(
        "log-configuration-log-driver",
        Kind.TEXT,
        "The containers' log driver (`awslogs`, `awsfirelens`, ...).",
        origin=RENDER,
    ),
    Input(
        "log-configuration-options",
        Kind.LINES,
        "`KEY=value` lines of log driver options.",
        origin=RENDER,
    ),
    Input(
        "env-files",
        Kind.LINES,
        "S3 object ARNs of environment files, one per line.",
        origin=RENDER,
    ),
    Input(
        "task-role-arn",
        Kind.TEXT,
        "The task role to set in the task definition.",
        origin=RENDER,
    ),
    Input(
        "execution-role-arn",
        Kind.TEXT,
        "The task execution role to set in the task definition.",
        origin=RENDER,
    ),
    # Blue/green
    Input(
        "mode",
        Kind.CHOICE,
        "What you expect: `ecs` (rolling or ECS-native blue/green, linear or canary; "
        "`rolling` is accepted too), `codedeploy`, or `auto` (follow each service's deployment "
        "controller). A service whose controller disagrees is refused before any change. Also "
        "`mode:` per service in the application file.",
        default="auto",
        choices=("auto", "ecs", "codedeploy"),
        choice_aliases=(("rolling", "ecs"),),
    ),
    Input(
        "codedeploy-appspec",
        Kind.TEXT,
        "AppSpec file (YAML or JSON, keys in any case) for CodeDeploy; `TaskDefinition` is "
        "filled in. Without the file, an AppSpec is built from the service's load balancer.",
        default="appspec.yaml",
        origin=DEPLOY,
    ),
    Input(
        "codedeploy-application",
        Kind.TEXT,
        "CodeDeploy application.",
        shown_default="`AppECS-{cluster}-{service}`",
        origin=DEPLOY,
    ),
    Input(
        "codedeploy-deployment-group",
        Kind.TEXT,
        "CodeDeploy deployment group.",
        shown_default="`DgpECS-{cluster}-{service}`",
        origin=DEPLOY,
    ),
    Input(
        "codedeploy-deployment-description",
        Kind.TEXT,
        "Description of the CodeDeploy deployment, at most 512 characters.",
        origin=DEPLOY,
    ),
    Input(
        "codedeploy-deployment-config",
        Kind.TEXT,
        "CodeDeploy deployment configuration name.",
        shown_default="the deployment group's",
        origin=DEPLOY,
    ),
    Input(
        "codedeploy-container-name",
        Kind.TEXT,
        "`ContainerName` to set in the AppSpec's LoadBalancerInfo (kept as the file has it "
        "when not given).",
    ),
    Input(
        "codedeploy-container-port",
        Kind.INTEGER,
        "`ContainerPort` to set in the AppSpec's LoadBalancerInfo.",
        minimum=1,
        maximum=65535,
    ),
    Input(
        "wait-until",
        Kind.TEXT,
        "Return early with outcome `ready`: `ready` (CodeDeploy Ready for test traffic, or "
        "ECS blue/green at `POST_TEST_TRAFFIC_SHIFT`) or an ECS lifecycle stage. Applies to "
        "the blue/green services of the run.",
        shown_default="the verdict",
    ),
    Input(
        "continue-deployment",
        Kind.TEXT,
        "Deploy nothing: finish a paused blue/green deployment (an ECS service deployment ARN "
        "or a CodeDeploy deployment id), then wait for the verdict.",
        commands=CONTINUE_ONLY,
        positional_in=Command.CONTINUE,
    ),
    Input(
        "continue-action",
        Kind.CHOICE,
        "With `continue-deployment`: `CONTINUE` (go on to production) or `ROLLBACK` (a "
        "rollback that succeeds gives outcome `rolled_back` and exit code 0).",
        default="CONTINUE",
        choices=("CONTINUE", "ROLLBACK"),
        commands=CONTINUE_ONLY,
        flags=("action",),
    ),
    Input(
        "hook-id",
        Kind.TEXT,
        "With `continue-deployment`: the lifecycle hook to answer (the `hook-id` output).",
        shown_default="the hook awaiting action",
        commands=CONTINUE_ONLY,
    ),
)

BY_NAME: dict[str, Input] = {spec.name: spec for spec in INPUTS}
BY_ALIAS: dict[str, Input] = {alias: spec for spec in INPUTS for alias in spec.aliases}


def declared(name: str) -> Input:
    return BY_NAME[name]


def default_of(name: str) -> object:
    """The typed default of an input: the one place defaults are written."""
    spec = BY_NAME[name]
    if spec.default is None:
        raise KeyError(f"{name} has no default")
    return spec.parse(spec.default)


def default_number(name: str) -> float:
    value = default_of(name)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TypeError(f"{name}'s default is not a number")
    return float(value)


def default_int(name: str) -> int:
    value = default_of(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name}'s default is not a whole number")
    return value
