"""The outputs as shell exports (for CodeBuild's exported-variables) and a GitLab dotenv report."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from ecs_deploy.report.variable_files import (
    DOTENV_MAX_BYTES,
    dotenv_text,
    variable_name,
    write_exports,
)

OUTPUTS = {
    "outcome": "failed",
    "task-definition-arn": "arn:aws:ecs:us-east-1:1:task-definition/web:2",
    "hook-id": "",
    "services": json.dumps([{"name": "web", "reason": 'it\'s "broken"; $(rm -rf /) `x`'}]),
}


def test_names_are_prefixed_shell_names() -> None:
    assert variable_name("task-definition-arn") == "ECS_DEPLOY_TASK_DEFINITION_ARN"


def test_a_shell_that_sources_the_exports_has_every_value_as_written(tmp_path: Path) -> None:
    path = tmp_path / "out.sh"
    path.write_text("export STALE=1\n")  # replaced, not appended to
    write_exports(path, OUTPUTS)
    assert "STALE" not in path.read_text()
    script = f'. "{path}"; printf "%s\\n" "$ECS_DEPLOY_SERVICES" "${{ECS_DEPLOY_HOOK_ID+set}}"'
    shown = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=True)
    services, hook_set = shown.stdout.splitlines()
    assert services == OUTPUTS["services"]  # quotes, $() and backticks stay text
    assert hook_set == "set"  # empty outputs are set (empty), so stale values go


def test_dotenv_lines_follow_gitlabs_rules() -> None:
    warnings: list[str] = []
    text = dotenv_text({**OUTPUTS, "reason": "two\nlines"}, warnings.append)
    lines = text.splitlines()
    assert lines[0] == "ECS_DEPLOY_OUTCOME=failed"
    assert "ECS_DEPLOY_HOOK_ID=" not in text  # empty: left out
    assert all("=" in line and line.split("=")[0].isupper() for line in lines)
    assert f"ECS_DEPLOY_SERVICES={OUTPUTS['services']}" in lines
    assert warnings == [
        "dotenv report: left out reason (GitLab takes at most 5120 bytes and no multi-line "
        "value); see the log for them"
    ]


def test_long_outputs_are_left_out_to_stay_within_5_kb() -> None:
    warnings: list[str] = []
    many = json.dumps([{"name": f"service-{i}", "reason": "x" * 200} for i in range(40)])
    text = dotenv_text({**OUTPUTS, "services": many}, warnings.append)
    assert len(text.encode()) <= DOTENV_MAX_BYTES
    assert "ECS_DEPLOY_OUTCOME=failed" in text and "ECS_DEPLOY_SERVICES" not in text
    assert "left out services" in warnings[0]
