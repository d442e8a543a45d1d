"""The promotion examples the README, docs/promotion.md and examples/ show are valid files."""

import re
from pathlib import Path

import pytest

from ecs_deploy.config.appfile import load_app_file

REPO = Path(__file__).resolve().parents[3]


def first_yaml_block(text: str) -> str:
    block = re.search(r"```yaml\n(.*?)```", text, re.DOTALL)
    assert block is not None
    return block.group(1)


@pytest.mark.parametrize(
    "source",
    [
        REPO / "examples" / "promotion" / ".ecs-deploy.yml",
        "README.md#Promotion",
        "docs/promotion.md",
    ],
    ids=["example", "readme", "docs"],
)
def test_each_environment_of_the_documented_file_loads(source: object, tmp_path: Path) -> None:
    if isinstance(source, Path):
        path = source
    else:
        name, _, heading = str(source).partition("#")
        text = (REPO / name).read_text()
        if heading:
            text = text[text.index(f"## {heading}") :]
        path = tmp_path / ".ecs-deploy.yml"
        path.write_text(first_yaml_block(text))
    test, prod = load_app_file(path, "test"), load_app_file(path, "prod")
    assert (test.cluster, prod.cluster) == ("app-test", "app-prod")
    web_test, web_prod = test.services[0], prod.services[0]
    assert (web_test.desired_count, web_prod.desired_count) == (1, 3)
    assert ("LOG_LEVEL", "debug") in web_test.changes.environment
    assert ("LOG_LEVEL", "info") in web_prod.changes.environment
