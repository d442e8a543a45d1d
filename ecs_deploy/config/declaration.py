"""What an input is: its name, kind, bounds, default, help and the commands that take it.

`declared_inputs.INPUTS` lists every input once in these terms; the INPUT_* reader, the CLI
flags of `deploy` and `continue`, action.yml and the README's table are all made from it.
`Input.parse` turns the text a user gave into the typed value, or raises a one-line
InputError naming the input.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ecs_deploy.config.durations import format_duration, parse_duration
from ecs_deploy.errors import InputError


class Kind(StrEnum):
    TEXT = "text"
    BOOL = "bool"  # true/false (also yes/no, on/off, 1/0)
    DURATION = "duration"  # 90s, 10m, 1h, plain seconds: float seconds
    INTEGER = "integer"
    NUMBER = "number"  # a finite float
    CHOICE = "choice"  # one of `choices`, any case: the declared spelling
    JSON_LIST = "json-list"  # a JSON list of objects
    JSON_OBJECT = "json-object"
    LINES = "lines"  # one item per line; blank lines and # comments skipped
    COMMA_LIST = "comma-list"


class Command(StrEnum):
    DEPLOY = "deploy"
    CONTINUE = "continue"


class Origin(StrEnum):
    """The official action an input comes from: same name, same meaning."""

    DEPLOY_ACTION = "amazon-ecs-deploy-task-definition"
    RENDER_ACTION = "amazon-ecs-render-task-definition"


DEPLOY_ONLY = frozenset({Command.DEPLOY})
CONTINUE_ONLY = frozenset({Command.CONTINUE})
BOTH = frozenset({Command.DEPLOY, Command.CONTINUE})

_TRUE = frozenset({"true", "yes", "y", "on", "1"})
_FALSE = frozenset({"false", "no", "n", "off", "0"})


@dataclass(frozen=True, slots=True)
class Input:
    name: str
    kind: Kind
    help: str  # Markdown, one paragraph: the README's meaning, action.yml's description
    default: str | None = None  # applied by the code when the input is not given
    shown_default: str | None = None  # what to print when the default is not a literal value
    origin: Origin | None = None
    minimum: float | None = None  # inclusive bounds of numbers and durations
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    # Accepted as well, mapped to a choice (`rolling` is the old name of `ecs`).
    choice_aliases: tuple[tuple[str, str], ...] = ()
    aliases: tuple[str, ...] = ()  # deprecated names of the input itself
    commands: frozenset[Command] = DEPLOY_ONLY
    flags: tuple[str, ...] = ()  # further CLI flags, e.g. --wait for wait-for-service-stability
    positional_in: Command | None = None  # the CLI takes it as the command's argument

    @property
    def env_names(self) -> tuple[str, ...]:
        """INPUT_FOO-BAR (what GitHub sets) and INPUT_FOO_BAR (what a shell can set)."""
        names: list[str] = []
        for name in (self.name, *self.aliases):
            upper = name.upper()
            names += [f"INPUT_{upper}", f"INPUT_{upper.replace('-', '_')}"]
        return tuple(dict.fromkeys(names))

    @property
    def default_text(self) -> str | None:
        """The default for people: the literal value, or a phrase (None: no default)."""
        if self.shown_default is not None:
            return self.shown_default
        return f"`{self.default}`" if self.default is not None else None

    def parse(self, text: str) -> Any:
        """The typed value of `text` (already stripped and not empty)."""
        parser = _PARSERS[self.kind]
        return parser(self, text)

    def check(self) -> None:
        """The declaration is coherent: the default parses, bounds fit the kind."""
        if self.default is not None:
            self.parse(self.default)
        if self.kind is Kind.CHOICE and not self.choices:
            raise ValueError(f"{self.name}: a choice without choices")
        if (self.minimum is not None or self.maximum is not None) and self.kind not in (
            Kind.INTEGER,
            Kind.NUMBER,
            Kind.DURATION,
        ):
            raise ValueError(f"{self.name}: bounds on a {self.kind} input")


def _text(spec: Input, text: str) -> str:
    return text


def _bool(spec: Input, text: str) -> bool:
    word = text.lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise InputError(f"{spec.name}: {text!r} is not a boolean; use true or false")


def _duration(spec: Input, text: str) -> float:
    seconds = parse_duration(text, name=spec.name)
    if spec.minimum is not None and seconds < spec.minimum:
        if seconds <= 0 < spec.minimum:
            raise InputError(f"{spec.name}: {text!r} must be greater than zero")
        raise InputError(
            f"{spec.name}: {text!r} is too short; at least {format_duration(spec.minimum)}"
        )
    if spec.maximum is not None and seconds > spec.maximum:
        raise InputError(
            f"{spec.name}: {text!r} is too long; at most {format_duration(spec.maximum)}"
        )
    return seconds


def _integer(spec: Input, text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise InputError(f"{spec.name}: {text!r} is not a whole number") from None
    _bounded(spec, text, value)
    return value


def _number(spec: Input, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{spec.name}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise InputError(f"{spec.name}: {text!r} is not a finite number")
    _bounded(spec, text, value)
    return value


def _bounded(spec: Input, text: str, value: float) -> None:
    if spec.minimum is not None and value < spec.minimum:
        if spec.minimum == 0:
            raise InputError(f"{spec.name}: {text!r} must be zero or more")
        if value <= 0 < spec.minimum and spec.kind is Kind.NUMBER:
            raise InputError(f"{spec.name}: {text!r} must be greater than zero")
        raise InputError(f"{spec.name}: {text!r} must be {_plain(spec.minimum)} or more")
    if spec.maximum is not None and value > spec.maximum:
        raise InputError(f"{spec.name}: {text!r} is too large; at most {_plain(spec.maximum)}")


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _choice(spec: Input, text: str) -> str:
    word = text.lower()
    for choice in spec.choices:
        if choice.lower() == word:
            return choice
    for alias, choice in spec.choice_aliases:
        if alias.lower() == word:
            return choice
    raise InputError(f"{spec.name}: {text!r} must be {_one_of(spec.choices)}")


def _one_of(choices: tuple[str, ...]) -> str:
    return ", ".join(choices[:-1]) + f" or {choices[-1]}" if len(choices) > 1 else choices[0]


def _json(spec: Input, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        # The position, never the text: it may hold a secret.
        raise InputError(f"{spec.name}: not valid JSON: {exc.msg} at character {exc.pos}") from None


def _json_list(spec: Input, text: str) -> list[dict[str, Any]]:
    value = _json(spec, text)
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise InputError(f"{spec.name}: must be a JSON list of objects")
    return value


def _json_object(spec: Input, text: str) -> dict[str, Any]:
    value = _json(spec, text)
    if not isinstance(value, dict):
        raise InputError(f"{spec.name}: must be a JSON object")
    return value


def lines_of(text: str) -> list[str]:
    stripped = (line.strip() for line in text.splitlines())
    return [line for line in stripped if line and not line.startswith("#")]


def _lines(spec: Input, text: str) -> tuple[str, ...]:
    return tuple(lines_of(text))


def comma_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _comma_list(spec: Input, text: str) -> tuple[str, ...]:
    return tuple(comma_list(text))


_PARSERS = {
    Kind.TEXT: _text,
    Kind.BOOL: _bool,
    Kind.DURATION: _duration,
    Kind.INTEGER: _integer,
    Kind.NUMBER: _number,
    Kind.CHOICE: _choice,
    Kind.JSON_LIST: _json_list,
    Kind.JSON_OBJECT: _json_object,
    Kind.LINES: _lines,
    Kind.COMMA_LIST: _comma_list,
}
