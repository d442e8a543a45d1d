"""Tags on the revisions a run registers: the task definition's own, plus where it came from.

ECS's limits (the `Tag` shape of botocore's ecs model, "Tagging your Amazon ECS resources"):
at most 50 tags per resource, keys 1-128 and values 0-256 characters of letters, digits,
spaces and `_ . : / = + - @`, and no key or value starting with `aws:` in any case (reserved;
such tags a file still carries are dropped before this, planning.py). Ours replace a tag of
the same key (the one copied from the last revision names the last run), and are left out,
with a warning, when they would not fit: a tag the task definition asks for always wins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

MAX_TAGS = 50
MAX_KEY_LENGTH = 128
MAX_VALUE_LENGTH = 256
_ALLOWED = re.compile(r"[\w .:/=+\-@]*")  # \p{L}\p{N} and _ are \w; \p{Z}: the space
COMMIT_KEY = "ecs-deploy:commit"
RUN_KEY = "ecs-deploy:run"


@dataclass(frozen=True, slots=True)
class MergedTags:
    tags: tuple[dict[str, str], ...]
    left_out: tuple[str, ...] = ()  # our keys that could not be added, and why


def provenance_tags(commit: str | None, runs: Sequence[str | None]) -> dict[str, str]:
    """The commit, and the first of `runs` (the run's URL, then its id) that fits ECS's rules
    (a CodeBuild console URL, with its '?' and '#', does not: the build's ARN names the run)."""
    tags: dict[str, str] = {}
    if commit and fits(commit):
        tags[COMMIT_KEY] = commit
    run = next((value for value in runs if value and fits(value)), None)
    if run:
        tags[RUN_KEY] = run
    return tags


def fits(value: str) -> bool:
    """A tag value ECS accepts."""
    return (
        len(value) <= MAX_VALUE_LENGTH
        and _ALLOWED.fullmatch(value) is not None
        and not value.lower().startswith("aws:")
    )


def fits_key(key: str) -> bool:
    """A tag key ECS accepts: the same characters as a value, 1-128 of them."""
    return 0 < len(key) <= MAX_KEY_LENGTH and fits(key)


TAG_RULE = (
    "letters, digits, spaces and _ . : / = + - @; keys 1-128 and values up to 256 "
    "characters; not starting with aws:"
)


def merge_tags(asked: Sequence[Mapping[str, str]], ours: Mapping[str, str]) -> MergedTags:
    kept = [dict(tag) for tag in asked if str(tag.get("key")) not in ours]
    room = MAX_TAGS - len(kept)
    added = [{"key": key, "value": value} for key, value in ours.items()][: max(room, 0)]
    left_out = tuple(
        f"{key} (the task definition has {len(kept)} tags; ECS allows {MAX_TAGS})"
        for key in list(ours)[len(added) :]
    )
    return MergedTags(tags=(*kept, *added), left_out=left_out)
