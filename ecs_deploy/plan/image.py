"""Container image references: `[registry[:port]/]repository[:tag][@algorithm:hex]`.

Parsed per Docker's reference grammar so that a tag-only change keeps registry, port and
repository intact (replacing "the text after the first ':'" breaks `host:5000/app`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ecs_deploy.errors import InputError

_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|-+)"
_PATH_COMPONENT = re.compile(rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*")
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = re.compile(rf"{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[0-9a-fA-F:.]+\]")
_TAG = re.compile(r"[\w][\w.-]{0,127}", re.ASCII)
_DIGEST = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}")
_SHA256 = re.compile(r"sha256:[0-9a-f]{64}")
_MAX_NAME_LENGTH = 255


def _invalid(text: str, reason: str) -> InputError:
    return InputError(f"invalid image reference {text!r}: {reason}")


def _tag_problem(tag: str) -> str | None:
    if _TAG.fullmatch(tag):
        return None
    return f"tag {tag!r} must be 1-128 of [A-Za-z0-9_.-], not starting with '.' or '-'"


def _digest_problem(digest: str) -> str | None:
    if not _DIGEST.fullmatch(digest):
        return f"digest {digest!r} must be algorithm:hex, e.g. sha256:<64 hex characters>"
    if digest.startswith("sha256:") and not _SHA256.fullmatch(digest):
        return f"digest {digest!r} must have 64 lowercase hex characters"
    return None


@dataclass(frozen=True, slots=True)
class ImageRef:
    """One parsed image reference. `str(ref)` gives the reference back."""

    repository: str
    registry: str | None = None
    port: int | None = None
    tag: str | None = None
    digest: str | None = None

    @classmethod
    def parse(cls, text: str) -> ImageRef:
        """Parse `text`; raises InputError naming the reference and what is wrong with it."""
        if not text or any(ch.isspace() for ch in text):
            raise _invalid(text, "must be non-empty and contain no whitespace")

        name, _, digest = text.partition("@")
        # The tag's ':' is the last one after the last '/', so a registry port is never taken
        # for a tag.
        slash = name.rfind("/")
        colon = name.rfind(":")
        tag: str | None = None
        if colon > slash:
            name, tag = name[:colon], name[colon + 1 :]

        registry, port, repository = _split_name(text, name)
        problem = (_tag_problem(tag) if tag is not None else None) or (
            _digest_problem(digest) if "@" in text else None
        )
        if problem:
            raise _invalid(text, problem)
        return cls(repository, registry, port, tag, digest if "@" in text else None)

    @property
    def domain(self) -> str | None:
        """`registry[:port]`, or None for a Docker Hub short name."""
        if self.registry is None:
            return None
        return self.registry if self.port is None else f"{self.registry}:{self.port}"

    @property
    def name(self) -> str:
        """`[registry[:port]/]repository`: the reference without tag and digest."""
        return self.repository if self.domain is None else f"{self.domain}/{self.repository}"

    def with_tag(self, tag: str) -> ImageRef:
        """The same image name with `tag`; any digest is dropped since it pinned the old tag."""
        problem = _tag_problem(tag)
        if problem:
            raise InputError(f"invalid image tag {tag!r}: {problem}")
        return ImageRef(self.repository, self.registry, self.port, tag, None)

    def with_digest(self, digest: str) -> ImageRef:
        """The same reference pinned to `digest`; the tag stays, as a label for readers."""
        problem = _digest_problem(digest)
        if problem:
            raise InputError(f"invalid image digest {digest!r}: {problem}")
        return ImageRef(self.repository, self.registry, self.port, self.tag, digest)

    def __str__(self) -> str:
        text = self.name
        if self.tag is not None:
            text += f":{self.tag}"
        if self.digest is not None:
            text += f"@{self.digest}"
        return text


def _split_name(text: str, name: str) -> tuple[str | None, int | None, str]:
    """Split `[registry[:port]/]repository` and validate each part."""
    if len(name) > _MAX_NAME_LENGTH:
        raise _invalid(text, f"name is longer than {_MAX_NAME_LENGTH} characters")
    first, sep, rest = name.partition("/")
    # Docker's rule: the first component is a registry only if it looks like a host.
    if sep and ("." in first or ":" in first or first == "localhost"):
        registry, port = _split_domain(text, first)
        repository = rest
    else:
        registry, port, repository = None, None, name

    if not repository:
        raise _invalid(text, "repository is empty")
    for component in repository.split("/"):
        if not _PATH_COMPONENT.fullmatch(component):
            raise _invalid(
                text,
                f"repository component {component!r} must be lowercase letters and digits "
                "separated by '.', '_', '__' or '-'",
            )
    return registry, port, repository


def _split_domain(text: str, domain: str) -> tuple[str, int | None]:
    host, port_text = domain, None
    # A bracketed IPv6 host has colons of its own; the port follows the closing bracket.
    port_colon = domain.rfind(":")
    if port_colon > domain.rfind("]"):
        host, port_text = domain[:port_colon], domain[port_colon + 1 :]
    if not _HOST.fullmatch(host):
        raise _invalid(text, f"registry host {host!r} is not a valid host name")
    if port_text is None:
        return host, None
    if not port_text.isdecimal() or not port_text.isascii() or not 0 < int(port_text) < 65536:
        raise _invalid(text, f"registry port {port_text!r} must be a number from 1 to 65535")
    return host, int(port_text)
