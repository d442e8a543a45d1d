"""What aws-actions/amazon-ecs-render-task-definition leaves behind: a new file under
RUNNER_TEMP (task-definition-XXXXXX.json) with the image set, whose path is its output.

Facts from the action's behaviour, not its code: it reads a file (a path relative to the
workspace or absolute), sets `image` of the named container and merges `environment`, and
writes the result with a random name into RUNNER_TEMP. A second render takes the first's output.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path


def render(
    source: Path,
    runner_temp: Path,
    *,
    container: str,
    image: str,
    environment: dict[str, str] | None = None,
) -> Path:
    definition = json.loads(source.read_text())
    for item in definition["containerDefinitions"]:
        if item["name"] != container:
            continue
        item["image"] = image
        if environment:
            kept = [e for e in item.get("environment", []) if e["name"] not in environment]
            item["environment"] = kept + [
                {"name": name, "value": value} for name, value in environment.items()
            ]
    handle, name = tempfile.mkstemp(prefix="task-definition-", suffix=".json", dir=runner_temp)
    with open(handle, "w") as output:
        json.dump(definition, output, indent=2)
    return Path(name)
