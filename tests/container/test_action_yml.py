"""action.yml agrees with the code: the same input and output names, no declared defaults.

Fast and engine-free (not marked `container`): it only reads files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO / "action.yml").read_text())
    return loaded


def test_inputs_are_the_ones_the_code_reads(action: dict[str, Any]) -> None:
    from ecs_deploy.config.inputs import INPUTS

    assert set(action["inputs"]) == {spec.name for spec in INPUTS}


def test_no_input_declares_a_default(action: dict[str, Any]) -> None:
    # GitHub passes a declared default as if the user had set it, which would override the
    # application file (for example `cluster: default` over the file's cluster).
    declared = {
        name: spec["default"] for name, spec in action["inputs"].items() if "default" in spec
    }
    assert declared == {}


def test_outputs_are_the_ones_the_code_writes(action: dict[str, Any]) -> None:
    from ecs_deploy.report.outputs import outputs_for
    from ecs_deploy.results import RunResult

    assert set(action["outputs"]) == set(outputs_for(RunResult(cluster="demo")))


def test_every_input_and_output_is_described(action: dict[str, Any]) -> None:
    for kind in ("inputs", "outputs"):
        for name, spec in action[kind].items():
            assert len(spec.get("description", "")) > 20, f"{kind}.{name} has no description"


def test_runs_the_repository_image_through_the_run_script(action: dict[str, Any]) -> None:
    # A composite action (not runs.using: docker), so the script can mount RUNNER_TEMP.
    assert action["runs"]["using"] == "composite"
    choose, python, step, exit_step = action["runs"]["steps"]
    # First how to run: the image, or (no Linux containers) the CLI on the Python set up here.
    assert choose["run"] == 'exec "$GITHUB_ACTION_PATH/scripts/run-action.sh" choose'
    assert python["uses"].startswith("actions/setup-python@")
    assert python["if"] == "steps.choose.outputs.engine == 'cli'"
    assert python["with"]["update-environment"] is False
    assert step["id"] == "run"
    assert step["run"] == 'exec "$GITHUB_ACTION_PATH/scripts/run-action.sh"'
    assert step["env"]["ECS_DEPLOY_ACTION_ENGINE"] == "${{ steps.choose.outputs.engine }}"
    assert step["env"]["ECS_DEPLOY_ACTION_USER"] == "${{ steps.choose.outputs.user }}"
    assert step["env"]["ECS_DEPLOY_PYTHON"] == "${{ steps.python.outputs.python-path }}"
    # The second step fails the action with the container's exit code, once its outputs are set.
    assert exit_step["if"] == "steps.run.outputs.exit-code != '0'"
    assert exit_step["env"] == {"EXIT_CODE": "${{ steps.run.outputs.exit-code }}"}
    for each in (choose, step, exit_step):
        assert "${{" not in each["run"]  # values reach the scripts through env only
    assert (REPO / "Dockerfile").is_file()
    assert (REPO / "scripts" / "run-action.sh").stat().st_mode & 0o111


def test_every_input_reaches_the_container_as_a_variable_the_code_reads(
    action: dict[str, Any],
) -> None:
    from ecs_deploy.config.readers import read_action_inputs

    (run_step,) = (step for step in action["runs"]["steps"] if step.get("id") == "run")
    env = {name: value for name, value in run_step["env"].items() if name.startswith("INPUT_")}
    assert {value for value in env.values()} == {
        f"${{{{ inputs.{name} }}}}" for name in action["inputs"]
    }
    # Set each variable to its own input's name: the reader must map it back to that input.
    given = {variable: value.split(".", 1)[1].rstrip(" }") for variable, value in env.items()}
    assert read_action_inputs(given) == {name: name for name in action["inputs"]}


def test_every_output_is_the_run_steps(action: dict[str, Any]) -> None:
    for name, spec in action["outputs"].items():
        assert spec["value"] == f"${{{{ steps.run.outputs.{name} }}}}"
