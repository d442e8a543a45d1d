"""GitHub Actions workflow commands (::error::, ::group::), escaped the way the runner expects."""

from __future__ import annotations

from ecs_deploy.errors import SourceLocation


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, message: str, location: SourceLocation | None = None) -> str:
    """`::error file=x,line=3,col=5::message` (level: error, warning or notice)."""
    properties = []
    if location is not None:
        properties.append(f"file={escape_property(location.path)}")
        if location.line is not None:
            properties.append(f"line={location.line}")
        if location.column is not None:
            properties.append(f"col={location.column}")
    joined = " " + ",".join(properties) if properties else ""
    return f"::{level}{joined}::{escape_data(message)}"
