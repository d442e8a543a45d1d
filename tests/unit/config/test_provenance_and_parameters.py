"""Where a deploy comes from (CI variables), and SSM parameter names as PutParameter takes them."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecs_deploy.config.inputs import build_settings
from ecs_deploy.config.parameter_names import MAX_NAME_LENGTH, check_parameter_name
from ecs_deploy.config.provenance import Provenance, provenance_of
from ecs_deploy.errors import InputError

SHA = "0123456789abcdef0123456789abcdef01234567"


def test_github_gives_the_commit_and_the_run_page() -> None:
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_SHA": SHA,
        "GITHUB_SERVER_URL": "https://github.example.com/",
        "GITHUB_REPOSITORY": "org/app",
        "GITHUB_RUN_ID": "99",
    }
    assert provenance_of(env) == Provenance(
        commit=SHA, run_url="https://github.example.com/org/app/actions/runs/99"
    )


def test_gitlab_gives_the_commit_and_the_job() -> None:
    env = {
        "GITLAB_CI": "true",
        "CI_COMMIT_SHA": SHA,
        "CI_JOB_URL": "https://gitlab.com/g/p/-/jobs/7",
    }
    assert provenance_of(env) == Provenance(commit=SHA, run_url="https://gitlab.com/g/p/-/jobs/7")


def test_codebuild_gives_the_source_version_the_build_url_and_its_arn() -> None:
    env = {
        "CODEBUILD_BUILD_ID": "app:1",
        "CODEBUILD_RESOLVED_SOURCE_VERSION": SHA,
        "CODEBUILD_BUILD_URL": "https://eu-west-1.console.aws.amazon.com/codesuite/codebuild/"
        "projects/app/build/app%3A1/?region=eu-west-1",
        "CODEBUILD_BUILD_ARN": "arn:aws:codebuild:eu-west-1:123456789012:build/app:1",
    }
    found = provenance_of(env)
    assert found.commit == SHA
    assert found.run_id == "arn:aws:codebuild:eu-west-1:123456789012:build/app:1"


def test_values_of_two_platforms_never_mix_and_none_gives_nothing() -> None:
    env = {"GITHUB_ACTIONS": "true", "GITHUB_SHA": SHA, "CI_JOB_URL": "https://gitlab.com/g/j/7"}
    assert provenance_of(env) == Provenance(commit=SHA)
    assert provenance_of({}).empty
    # A run page needs all three parts.
    github = {"GITHUB_ACTIONS": "true", "GITHUB_RUN_ID": "1", "GITHUB_REPOSITORY": "o/r"}
    assert provenance_of(github).empty


def test_only_the_platform_the_run_is_in_is_read() -> None:
    # GitLab's job, with a GITHUB_SHA left in its variables (a mirror's, a copied .env): the
    # platform is told apart by what each sets in every run, not by which value comes first.
    gitlab = {"GITLAB_CI": "true", "GITHUB_SHA": "f" * 40, "CI_COMMIT_SHA": SHA}
    assert provenance_of(gitlab).commit == SHA
    # A CodeBuild-hosted GitHub Actions runner: the run is the workflow's.
    runner = {"GITHUB_ACTIONS": "true", "GITHUB_SHA": SHA, "CODEBUILD_BUILD_ID": "runner:1"}
    assert provenance_of(runner) == Provenance(commit=SHA)
    # Outside any platform (a person's shell) nothing is taken from stray variables.
    assert provenance_of({"CI_COMMIT_SHA": SHA, "CODEBUILD_RESOLVED_SOURCE_VERSION": SHA}).empty


def test_settings_carry_the_provenance() -> None:
    settings = build_settings(
        {"service": "web", "image-tag": "v1"}, {"GITLAB_CI": "true", "CI_COMMIT_SHA": SHA}
    )
    assert settings.provenance.commit == SHA


@pytest.mark.parametrize(
    "name", ["image-tag", "/my-app/image-tag", "/a/b.c/d_e-f", "/" + "/".join(["l"] * 15)]
)
def test_valid_parameter_names(name: str) -> None:
    assert check_parameter_name(name, what="image-tag-parameter") == name


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "empty"),
        ("aws-tag", "reserved"),
        ("/AWS/x", "reserved"),
        ("/ssm/x", "reserved"),
        ("/Ssmx", "reserved"),
        ("a/b", "starts with '/'"),
        ("/a/b/", "empty"),
        ("/a b", "only letters"),
        ("/a$b", "only letters"),
        ("arn:aws:ssm:us-east-1:1:parameter/a", "ARN"),
        ("/" + "/".join(["l"] * 16), "15 hierarchy levels"),
        ("/" + "x" * MAX_NAME_LENGTH, "characters"),
    ],
)
def test_invalid_parameter_names(name: str, problem: str) -> None:
    with pytest.raises(InputError, match="image-tag-parameter") as raised:
        check_parameter_name(name, what="image-tag-parameter")
    assert problem in str(raised.value)


def test_image_tag_parameter_needs_a_service() -> None:
    with pytest.raises(InputError, match="needs service"):
        build_settings({"task-definition": "web:3", "image-tag-parameter": "/a/b"}, {})


def test_keep_revisions_is_at_least_one() -> None:
    with pytest.raises(InputError, match="keep-revisions"):
        build_settings({"service": "web", "keep-revisions": "0"}, {})
    given = build_settings({"service": "web", "cluster": "c", "keep-revisions": "3"}, {})
    assert (given.keep_revisions, given.revision_clusters) == (3, ("c",))


def test_keep_revisions_never_runs_against_a_guessed_cluster(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="keep-revisions needs a cluster that is named"):
        build_settings({"service": "web", "image-tag": "v1", "keep-revisions": "3"}, {})
    (tmp_path / "td.json").write_text("{}")
    register_only = {"task-definition": "td.json", "cluster": "c", "keep-revisions": "3"}
    with pytest.raises(InputError, match="keep-revisions needs service"):
        build_settings(register_only, {"GITHUB_WORKSPACE": str(tmp_path)})


def test_keep_revisions_protects_every_environments_cluster(tmp_path: Path) -> None:
    env = {"GITHUB_WORKSPACE": str(tmp_path)}
    app = tmp_path / ".ecs-deploy.yml"
    app.write_text(
        "version: v1\nkeep_revisions: 5\nservices:\n  - name: web\n"
        "environments:\n  test: {cluster: app-test}\n  prod: {cluster: app-prod}\n"
    )
    settings = build_settings({"environment": "test"}, env)
    assert settings.revision_clusters == ("app-test", "app-prod")
    # The input's cluster is where this run deploys: read too, with every environment's.
    moved = build_settings({"environment": "test", "cluster": "elsewhere"}, env)
    assert moved.revision_clusters == ("elsewhere", "app-prod", "app-test")
    app.write_text(app.read_text().replace("  prod: {cluster: app-prod}\n", "  prod: {}\n"))
    with pytest.raises(
        InputError, match=r"environment 'prod' of \.ecs-deploy\.yml names no cluster"
    ):
        build_settings({"environment": "test"}, env)
    app.write_text("version: v1\nkeep_revisions: 5\nservices:\n  - name: web\n")
    with pytest.raises(InputError, match=r"give cluster \(or cluster: in .ecs-deploy.yml\)"):
        build_settings({}, env)
