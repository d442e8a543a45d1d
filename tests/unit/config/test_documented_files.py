"""The application files the README and examples/ show are valid: documentation that runs."""

import re
from pathlib import Path

from ecs_deploy.config.appfile import load_app_file

REPO = Path(__file__).resolve().parents[3]


def test_readme_application_file_reference_is_valid(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## The application file") :]
    block = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert block is not None
    path = tmp_path / ".ecs-deploy.yml"
    path.write_text(block.group(1))
    app = load_app_file(path)
    assert [task.name for task in app.pre_tasks] == ["migrate", "app-seed"]
    assert app.pre_tasks[1].depends_on == ("migrate",)
    assert app.rollback.on_failure


def test_example_application_is_valid() -> None:
    app = load_app_file(REPO / "examples" / ".ecs-deploy.yml")
    assert [service.name for service in app.services] == ["web", "worker"]
    assert app.services[0].source.file == REPO / "examples" / "taskdefs" / "web.json"
