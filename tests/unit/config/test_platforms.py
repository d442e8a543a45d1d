"""CodeBuild's default image tag, and where outputs go on other platforms.

Variables as CodeBuild documents them ("Environment variables in build environments",
https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-env-vars.html):
CODEBUILD_BUILD_ID / CODEBUILD_BUILD_ARN in every build; CODEBUILD_RESOLVED_SOURCE_VERSION the
commit (CodeCommit, GitHub, Bitbucket) or CodePipeline's source revision, and not set for an
S3 source. GitLab sets GITLAB_CI=true and CI_PROJECT_DIR.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ecs_deploy.config.inputs import build_settings
from ecs_deploy.config.platforms import OutputFiles, output_files
from ecs_deploy.errors import InputError

COMMIT = "0123456789abcdef0123456789abcdef01234567"
SINGLE = {"service": "web", "container-name": "app"}


def codebuild(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "CODEBUILD_BUILD_ID": "deploy:0f1e",
        "CODEBUILD_RESOLVED_SOURCE_VERSION": COMMIT,
        "CODEBUILD_SRC_DIR": str(tmp_path),
        **extra,
    }


def app_file(tmp_path: Path, text: str) -> None:
    (tmp_path / ".ecs-deploy.yml").write_text(text)


def test_in_codebuild_named_containers_default_to_the_commit(tmp_path: Path) -> None:
    settings = build_settings(SINGLE, codebuild(tmp_path))
    assert (settings.image_tag, settings.image_tag_from) == (
        COMMIT,
        "CODEBUILD_RESOLVED_SOURCE_VERSION",
    )
    # Only the ARN set (either variable is CodeBuild's): the same.
    env = codebuild(tmp_path)
    env["CODEBUILD_BUILD_ARN"] = "arn:aws:codebuild:us-east-1:1:build/" + env.pop(
        "CODEBUILD_BUILD_ID"
    )
    assert build_settings(SINGLE, env).image_tag == COMMIT


def test_given_images_and_unnamed_containers_keep_their_images(tmp_path: Path) -> None:
    env = codebuild(tmp_path)
    given = build_settings({**SINGLE, "image-tag": "v2"}, env)
    assert (given.image_tag, given.image_tag_from) == ("v2", None)
    assert build_settings({**SINGLE, "image": "r/app:2"}, env).image_tag is None
    # A task definition deployed as it is (the render action's output): no tag is guessed.
    (tmp_path / "td.json").write_text("{}")
    settings = build_settings({"service": "web", "task-definition": "td.json"}, env)
    assert settings.image_tag is None


def test_outside_codebuild_or_without_a_commit_there_is_no_default(tmp_path: Path) -> None:
    outside = {"CODEBUILD_RESOLVED_SOURCE_VERSION": COMMIT, "GITHUB_WORKSPACE": str(tmp_path)}
    s3_source = codebuild(tmp_path, CODEBUILD_RESOLVED_SOURCE_VERSION="")
    for env in (outside, s3_source):
        with pytest.raises(InputError, match="container-name needs image, image-tag"):
            build_settings(SINGLE, env)


def test_an_application_file_with_listed_containers_takes_the_commit(tmp_path: Path) -> None:
    app_file(tmp_path, "version: v1\ncluster: c\nservices:\n  - name: web\n    containers: [app]\n")
    assert build_settings({}, codebuild(tmp_path)).image_tag == COMMIT
    app_file(tmp_path, "version: v1\ncluster: c\nservices:\n  - name: web\n")
    assert build_settings({}, codebuild(tmp_path)).image_tag is None


def test_a_source_version_that_is_no_tag_is_one_line(tmp_path: Path) -> None:
    env = codebuild(tmp_path, CODEBUILD_RESOLVED_SOURCE_VERSION="arn:aws:s3:::bucket/key")
    with pytest.raises(InputError, match="CODEBUILD_RESOLVED_SOURCE_VERSION is not an image tag"):
        build_settings(SINGLE, env)


def test_output_files_resolve_against_the_workspace(tmp_path: Path) -> None:
    env = codebuild(tmp_path)
    assert output_files({"exports-file": "out.sh"}, env) == OutputFiles(exports=tmp_path / "out.sh")
    assert output_files({}, env) == OutputFiles()
    gitlab = {"GITLAB_CI": "true", "CI_PROJECT_DIR": str(tmp_path)}
    assert output_files({}, gitlab) == OutputFiles(dotenv=tmp_path / "ecs-deploy.env")
    absolute = output_files({"dotenv-file": "/tmp/x.env"}, gitlab)
    assert absolute == OutputFiles(dotenv=Path("/tmp/x.env"))


def test_an_output_file_in_a_missing_folder_is_refused_before_any_change(tmp_path: Path) -> None:
    env = codebuild(tmp_path)
    with pytest.raises(InputError, match=r"exports-file: folder .* does not exist"):
        build_settings({**SINGLE, "exports-file": "nowhere/out.sh"}, env)
    with pytest.raises(InputError, match=r"dotenv-file: .* is a folder"):
        build_settings({**SINGLE, "dotenv-file": "."}, env)


def test_no_default_tag_when_the_inputs_change_the_containers_otherwise(tmp_path: Path) -> None:
    env = codebuild(tmp_path)
    settings = build_settings(
        {**SINGLE, "secrets": "DB=arn:aws:ssm:us-east-1:1:parameter/db", "command": "run"}, env
    )
    assert (settings.image_tag, settings.image_tag_from) == (None, None)
    assert settings.image_tag_note is not None
    assert "secrets, command change the containers" in settings.image_tag_note
    assert "arn:aws:ssm" not in settings.image_tag_note  # names the inputs, never their values
    # The task roles change no container: the commit still tags the named one.
    roles = build_settings({**SINGLE, "task-role-arn": "arn:aws:iam::1:role/r"}, env)
    assert (roles.image_tag, roles.image_tag_note) == (COMMIT, None)
    # Outside CodeBuild there was no default to leave out: nothing to say.
    outside = build_settings({**SINGLE, "command": "run"}, {"GITHUB_WORKSPACE": str(tmp_path)})
    assert outside.image_tag_note is None
