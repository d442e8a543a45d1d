"""Two readers of the declared inputs (GitHub's INPUT_* env, CLI flags) and one typed view.

Both readers produce the same raw mapping (input name -> text as the user wrote it), so the
action and the CLI can never disagree on what an input means; `InputValues` parses every
given value by its declared kind before anything else looks at it.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ecs_deploy.config.declaration import Command, Input, Kind
from ecs_deploy.config.declared_inputs import BY_ALIAS, BY_NAME, INPUTS
from ecs_deploy.errors import InputError

RawInputs = Mapping[str, str]


def read_action_inputs(environ: Mapping[str, str]) -> dict[str, str]:
    """INPUT_TASK-DEFINITION (GitHub's form) or INPUT_TASK_DEFINITION (a shell's form).

    GitHub sets declared inputs without a default to "", so empty means "not given".
    """
    raw: dict[str, str] = {}
    for spec in INPUTS:
        for key in spec.env_names:
            value = environ.get(key, "").strip()
            if value:
                raw[spec.name] = value
                break
    return raw


def inputs_of(command: Command) -> tuple[Input, ...]:
    return tuple(spec for spec in INPUTS if command in spec.commands)


def add_cli_arguments(parser: argparse.ArgumentParser, command: Command = Command.DEPLOY) -> None:
    """One flag per input the command takes (the positional one as its argument)."""
    for spec in inputs_of(command):
        help_text = _cli_help(spec)
        if spec.positional_in is command:
            parser.add_argument(_dest(spec), metavar=spec.name.upper(), help=help_text)
            continue
        names = [f"--{spec.name}", *(f"--{flag}" for flag in spec.flags)]
        names += [f"--{alias}" for alias in spec.aliases]
        if spec.kind is Kind.BOOL:
            parser.add_argument(
                *names,
                dest=_dest(spec),
                nargs="?",
                const="true",
                metavar="true|false",
                help=help_text,
            )
        else:
            parser.add_argument(*names, dest=_dest(spec), metavar=_metavar(spec), help=help_text)


def _cli_help(spec: Input) -> str:
    text = spec.help.replace("`", "")
    default = spec.default_text
    # argparse formats % itself.
    return (text + (f" (default: {default.replace('`', '')})" if default else "")).replace(
        "%", "%%"
    )


def _metavar(spec: Input) -> str:
    if spec.kind is Kind.CHOICE:
        return "|".join(spec.choices)
    return {Kind.DURATION: "DURATION", Kind.INTEGER: "N", Kind.NUMBER: "N"}.get(spec.kind, "VALUE")


def _dest(spec: Input) -> str:
    # Prefixed: an input named like argparse's own fields (`command`) must not overwrite them.
    return "input_" + spec.name.replace("-", "_")


def read_cli_inputs(namespace: argparse.Namespace) -> dict[str, str]:
    values = vars(namespace)
    raw: dict[str, str] = {}
    for spec in INPUTS:
        value = values.get(_dest(spec))
        if value is not None and str(value).strip():
            raw[spec.name] = str(value).strip()
    return raw


@dataclass(frozen=True, slots=True)
class InputValues:
    """The given inputs, each parsed by its declared kind; defaults from the declaration."""

    raw: Mapping[str, str]
    parsed: Mapping[str, Any]

    def given(self, name: str) -> bool:
        _known(name)
        return name in self.parsed

    def get(self, name: str) -> Any:
        """The typed value given, else the declared default, else None."""
        spec = _known(name)
        if name in self.parsed:
            return self.parsed[name]
        return spec.parse(spec.default) if spec.default is not None else None

    def text(self, name: str) -> str | None:
        """The text as given (stripped), else None."""
        _known(name)
        return self.raw.get(name)


def check_inputs(raw: RawInputs, command: Command) -> InputValues:
    """Every given input is known, has a valid value, and is one `command` takes."""
    canonical: dict[str, str] = {}
    for name, value in raw.items():
        spec = BY_NAME.get(name) or BY_ALIAS.get(name)
        if spec is None:
            raise InputError(f"unknown input '{name}'")
        canonical.setdefault(spec.name, value.strip())
    parsed = {
        spec.name: spec.parse(canonical[spec.name])
        for spec in INPUTS
        if canonical.get(spec.name, "") != ""
    }
    for spec in INPUTS:
        if spec.name in parsed and command not in spec.commands:
            raise InputError(_not_taken(spec, command))
    return InputValues(raw={k: v for k, v in canonical.items() if v}, parsed=parsed)


def _not_taken(spec: Input, command: Command) -> str:
    if command is Command.CONTINUE:
        return (
            f"continue-deployment cannot be combined with {spec.name}: a continue step "
            "deploys nothing, it finishes a paused deployment"
        )
    return f"{spec.name} needs continue-deployment (it answers a paused deployment)"


def _known(name: str) -> Input:
    spec = BY_NAME.get(name)
    if spec is None:
        raise KeyError(f"undeclared input {name!r}")
    return spec
