"""SSM parameter names, checked the way PutParameter checks them, before anything changes.

The rules are PutParameter's `Name` documentation in botocore's ssm service model
(botocore/data/ssm/2014-11-06/service-2.json) and "Creating Systems Manager parameters"
(https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-su-create.html):
only `a-zA-Z0-9_.-` and `/` between hierarchy levels, a leading `/` for a name in a hierarchy,
not prefixed with `aws` or `ssm` (any case), at most fifteen levels, no spaces, the name and not
its ARN, and at most 1011 characters including the ARN prefix in front of it.
"""

from __future__ import annotations

import re

from ecs_deploy.errors import InputError

_CHARACTERS = re.compile(r"[A-Za-z0-9_.\-/]+")
MAX_LEVELS = 15
# 1011 characters, "including the characters in the ARN that precede the name you specify"
# (arn:aws:ssm:us-east-2:111122223333:parameter/ is 45). The longest partition and region
# names in use make that prefix up to about 64 characters; leave room for them.
MAX_NAME_LENGTH = 1011 - 64
RESERVED_PREFIXES = ("aws", "ssm")


def check_parameter_name(name: str, *, what: str) -> str:
    """The name unchanged, or an InputError saying which rule it breaks."""
    problem = _problem(name)
    if problem is not None:
        raise InputError(f"{what}: {name!r} is not a valid SSM parameter name: {problem}")
    return name


def _problem(name: str) -> str | None:
    if name.startswith("arn:"):
        return "give the parameter's name, not its ARN"
    if not name:
        return "it is empty"
    if not _CHARACTERS.fullmatch(name):
        return "only letters, digits, '_', '.', '-' and '/' between hierarchy levels are allowed"
    if len(name) > MAX_NAME_LENGTH:
        return f"at most {MAX_NAME_LENGTH} characters"
    if "/" in name and not name.startswith("/"):
        return "a name in a hierarchy starts with '/' (for example /my-app/image-tag)"
    levels = name.lstrip("/").split("/")
    if any(not level for level in levels):
        return "a hierarchy level is empty ('//' or a trailing '/')"
    if len(levels) > MAX_LEVELS:
        return f"at most {MAX_LEVELS} hierarchy levels"
    if levels[0].lower().startswith(RESERVED_PREFIXES):
        return "names starting with 'aws' or 'ssm' (any case) are reserved by AWS"
    return None
