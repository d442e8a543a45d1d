"""The input declaration: coherent, and the single source of names, kinds and defaults."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from ecs_deploy.config.continuing import ContinueSettings, build_continue_settings
from ecs_deploy.config.declaration import BOTH, Command, Input, Kind
from ecs_deploy.config.declared_inputs import BY_NAME, INPUTS
from ecs_deploy.config.inputs import build_settings
from ecs_deploy.config.readers import (
    add_cli_arguments,
    check_inputs,
    inputs_of,
    read_action_inputs,
    read_cli_inputs,
)
from ecs_deploy.config.settings import FailFastPolicy, Settings
from ecs_deploy.errors import InputError

# A valid text for each kind, to push every input through both readers.
SAMPLE = {
    Kind.TEXT: "some-text",
    Kind.BOOL: "true",
    Kind.DURATION: "90s",
    Kind.INTEGER: "3",
    Kind.NUMBER: "2.5",
    Kind.JSON_LIST: "[]",
    Kind.JSON_OBJECT: "{}",
    Kind.LINES: "A=1",
    Kind.COMMA_LIST: "a,b",
}


def _sample(spec: Input) -> str:
    return spec.choices[0] if spec.kind is Kind.CHOICE else SAMPLE[spec.kind]


def test_every_declaration_is_coherent() -> None:
    assert len(BY_NAME) == len(INPUTS)  # no name twice
    for spec in INPUTS:
        spec.check()
        assert spec.help.endswith((".", ")")), spec.name
        assert spec.commands, spec.name


@pytest.mark.parametrize("spec", INPUTS, ids=lambda spec: spec.name)
def test_both_env_forms_and_the_cli_flag_read_the_same_value(spec: Input) -> None:
    value = _sample(spec)
    upper = spec.name.upper()
    assert read_action_inputs({f"INPUT_{upper}": value}) == {spec.name: value}
    assert read_action_inputs({f"INPUT_{upper.replace('-', '_')}": value}) == {spec.name: value}
    for command in spec.commands:
        parser = argparse.ArgumentParser()
        add_cli_arguments(parser, command)
        args = [value] if spec.positional_in is command else [f"--{spec.name}", value]
        if spec.positional_in is None and command is Command.CONTINUE:
            args = ["d-1", *args]
        parsed = read_cli_inputs(parser.parse_args(args))
        assert parsed[spec.name] == value


def test_each_command_has_a_flag_for_exactly_its_inputs() -> None:
    for command in Command:
        parser = argparse.ArgumentParser()
        add_cli_arguments(parser, command)
        flags = {
            option[2:]
            for action in parser._actions
            for option in action.option_strings
            if option.startswith("--") and option != "--help"
        }
        declared = {spec.name for spec in inputs_of(command) if spec.positional_in is None}
        extra = {flag for spec in inputs_of(command) for flag in spec.flags}
        assert flags == declared | extra


def test_defaults_are_the_declared_ones(tmp_path: Path) -> None:
    settings = build_settings(
        {"service": "web", "force-new-deployment": "true"}, {"GITHUB_WORKSPACE": str(tmp_path)}
    )
    assert (
        settings.poll_interval_seconds
        == 5
        == Settings(cluster="c", services=()).poll_interval_seconds
    )
    assert settings.timeout_seconds == 30 * 60
    assert settings.max_retries == 8
    assert settings.fail_fast == FailFastPolicy(max_start_failures=2, placement_grace_seconds=120)
    assert settings.wait is True
    resumed = build_continue_settings({"continue-deployment": "d-1"}, {})
    default = ContinueSettings(target=resumed.target)
    assert (resumed.timeout_seconds, resumed.poll_interval_seconds, resumed.max_retries) == (
        default.timeout_seconds,
        default.poll_interval_seconds,
        default.max_retries,
    )


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("wait-for-minutes", "1e400", "is not a finite number"),
        ("wait-for-minutes", "2000", "is too large; at most 1440"),
        ("timeout", "0s", "must be greater than zero"),
        ("timeout", "2d", "is not a duration"),
        ("timeout", "25h", "is too long; at most 24h00m"),
        ("poll-interval", "50ms", "is too short; at least 0.1s"),
        ("max-start-failures", "0", "must be 1 or more"),
        ("codedeploy-container-port", "70000", "is too large; at most 65535"),
        ("mode", "banana", "must be auto, ecs or codedeploy"),
        ("run-task-tags", "{}", "must be a JSON list of objects"),
    ],
)
def test_bounds_and_kinds(name: str, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        BY_NAME[name].parse(text)
    assert str(caught.value).startswith(f"{name}: ")


def test_choices_take_any_case_and_aliases() -> None:
    assert BY_NAME["mode"].parse("ROLLING") == "ecs"
    assert BY_NAME["propagate-tags"].parse("task_definition") == "TASK_DEFINITION"
    assert BY_NAME["continue-action"].parse("rollback") == "ROLLBACK"


def test_shared_inputs_parse_alike_for_both_commands(tmp_path: Path) -> None:
    for spec in INPUTS:
        if spec.commands != BOTH:
            continue
        deploy = check_inputs(
            {spec.name: "yes" if spec.kind is Kind.BOOL else _sample(spec)}, Command.DEPLOY
        )
        resume = check_inputs(
            {spec.name: "yes" if spec.kind is Kind.BOOL else _sample(spec)}, Command.CONTINUE
        )
        assert deploy.get(spec.name) == resume.get(spec.name)


def test_an_input_a_command_does_not_take_is_refused() -> None:
    with pytest.raises(InputError, match="continue-deployment cannot be combined with dry-run"):
        check_inputs({"continue-deployment": "d-1", "dry-run": "true"}, Command.CONTINUE)
    with pytest.raises(InputError, match="continue-action needs continue-deployment"):
        check_inputs({"service": "web", "continue-action": "ROLLBACK"}, Command.DEPLOY)
    with pytest.raises(InputError, match="unknown input 'colour'"):
        check_inputs({"colour": "blue"}, Command.DEPLOY)


@pytest.mark.parametrize(("cap", "poll"), [(None, 5.0), ("2", 2.0), ("10", 5.0)])
def test_wait_max_delay_seconds_caps_the_poll_interval(
    tmp_path: Path, cap: str | None, poll: float
) -> None:
    raw = {"service": "web", "force-new-deployment": "true"}
    if cap is not None:
        raw["wait-max-delay-seconds"] = cap
    assert build_settings(raw, {"GITHUB_WORKSPACE": str(tmp_path)}).poll_interval_seconds == poll
    capped = {"wait-max-delay-seconds": cap} if cap is not None else {}
    resumed = build_continue_settings({"continue-deployment": "d-1", **capped}, {})
    assert resumed.poll_interval_seconds == poll


@pytest.mark.parametrize(
    ("inputs", "reference"),
    [
        ({"task-definition-family": "web"}, "web"),
        ({"task-definition-family": "web", "task-definition-revision": "3"}, "web:3"),
        (
            {"task-definition-arn": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:4"},
            "arn:aws:ecs:us-east-1:123456789012:task-definition/web:4",
        ),
        ({"task-definition": "web:5"}, "web:5"),
    ],
)
def test_render_actions_task_definition_sources(
    tmp_path: Path, inputs: dict[str, str], reference: str
) -> None:
    settings = build_settings({"service": "web", **inputs}, {"GITHUB_WORKSPACE": str(tmp_path)})
    assert settings.services[0].source.reference == reference
    assert settings.services[0].source.file is None


def test_a_deprecated_name_is_read_in_both_env_forms() -> None:
    spec = Input("new-name", Kind.TEXT, "Something.", aliases=("old-name",))
    assert spec.env_names == (
        "INPUT_NEW-NAME",
        "INPUT_NEW_NAME",
        "INPUT_OLD-NAME",
        "INPUT_OLD_NAME",
    )
