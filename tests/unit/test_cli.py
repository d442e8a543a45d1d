import subprocess
import sys

import pytest

from ecs_deploy.cli import main


def test_emulator_subcommand_uses_the_emulators_own_parser() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "ecs_deploy", "emulator", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0
    assert completed.stdout.startswith("usage: ecs-deploy emulator")
    assert "--seed APP_FILE" in completed.stdout


def test_version_does_not_load_the_emulator_or_boto3() -> None:
    code = (
        "import sys; from ecs_deploy.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
        "print('moto' in sys.modules, 'boto3' in sys.modules)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert completed.stdout.split()[-2:] == ["False", "False"]


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: ecs-deploy" in capsys.readouterr().out


def test_an_input_named_like_the_subcommand_field_does_not_hide_the_subcommand() -> None:
    completed = subprocess.run(
        [
            *(sys.executable, "-m", "ecs_deploy", "deploy", "--service", "web"),
            *("--container-name", "app", "--command", "bin/x", "--timeout", "soon"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2
    assert "timeout: 'soon' is not a duration" in completed.stderr
