import pytest

from ecs_deploy.config.render_inputs import changes_from_inputs
from ecs_deploy.errors import InputError


def test_key_value_lines_keep_everything_after_the_first_equals_sign() -> None:
    changes = changes_from_inputs(
        {
            "environment-variables": "DATABASE_URL=postgres://u:p@db/app?sslmode=require\n"
            "  # a comment\n\n  LOG_LEVEL = debug \nEMPTY=\n",
            "docker-labels": "team=payments",
        }
    )
    assert changes.environment == (
        ("DATABASE_URL", "postgres://u:p@db/app?sslmode=require"),
        ("LOG_LEVEL", " debug"),
        ("EMPTY", ""),
    )
    assert changes.docker_labels == (("team", "payments"),)
    assert changes.changes_containers


def test_command_is_split_like_a_shell() -> None:
    changes = changes_from_inputs({"command": "npm run start -- --name 'my app'"})
    assert changes.command == ("npm", "run", "start", "--", "--name", "my app")


def test_a_bad_line_is_named_by_number_never_by_value() -> None:
    with pytest.raises(InputError) as caught:
        changes_from_inputs({"secrets": "API_KEY=arn:aws:ssm:x\nsuper-secret-without-key"})
    assert str(caught.value) == "secrets: line 2 is not KEY=value"


def test_roles_alone_do_not_change_containers() -> None:
    changes = changes_from_inputs({"task-role-arn": "arn:aws:iam::1:role/app"})
    assert not changes.changes_containers and not changes.empty
