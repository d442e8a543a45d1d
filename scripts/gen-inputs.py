#!/usr/bin/env python3
"""Regenerate, or check, what is made from the input declaration.

    scripts/gen-inputs.py --write   # rewrite the generated parts of action.yml and README.md
    scripts/gen-inputs.py --check   # exit 1, with a diff, when they differ from the declaration

The declaration is ecs_deploy/config/declared_inputs.py. Generated here, between BEGIN/END
marker lines: action.yml's `inputs:`, the env: block of its composite step (each input as
INPUT_<NAME>), and the README's input table.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ecs_deploy.config.declaration import BOTH, Input, Origin  # noqa: E402
from ecs_deploy.config.declared_inputs import INPUTS  # noqa: E402

SOURCE = "ecs_deploy/config/declared_inputs.py"
WIDTH = 96
_ORIGIN_NAMES = {Origin.DEPLOY_ACTION: "deploy action", Origin.RENDER_ACTION: "render action"}


def action_description(spec: Input) -> str:
    text = spec.help
    if spec.origin is not None:
        text = f"({spec.origin.value}) {text}"
    if spec.default_text is not None:
        text += f" Default: {spec.default_text}."
    return text


def action_inputs(indent: str) -> list[str]:
    lines: list[str] = []
    for spec in INPUTS:
        lines += [f"{indent}{spec.name}:", f"{indent}  description: >-"]
        lines += textwrap.wrap(
            action_description(spec),
            WIDTH,
            initial_indent=indent + "    ",
            subsequent_indent=indent + "    ",
            break_on_hyphens=False,
            break_long_words=False,
        )
        lines.append(f"{indent}  required: false")
        for alias in spec.aliases:
            lines += [
                f"{indent}{alias}:",
                f"{indent}  description: The old name of `{spec.name}`.",
                f"{indent}  required: false",
                f"{indent}  deprecationMessage: Use `{spec.name}`.",
            ]
    return lines


def action_env(indent: str) -> list[str]:
    """INPUT_<NAME> with underscores (a shell can name it; the action reads both forms)."""
    lines: list[str] = []
    for spec in INPUTS:
        for name in (spec.name, *spec.aliases):
            variable = "INPUT_" + name.upper().replace("-", "_")
            lines.append(f"{indent}{variable}: ${{{{ inputs.{name} }}}}")
    return lines


def readme_table() -> list[str]:
    lines = ["| Input | Default | Meaning |", "|---|---|---|"]
    for spec in INPUTS:
        meaning = spec.help
        if spec.origin is not None:
            meaning = f"*{_ORIGIN_NAMES[spec.origin]}* · {meaning}"
        if spec.commands == BOTH:
            meaning += " Also for `continue`."
        cells = [f"`{spec.name}`", spec.default_text or "", meaning]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return lines


def replace_between(text: str, begin: str, end: str, make: object, where: str) -> str:
    """The lines strictly between the marker lines containing `begin` and `end`, made anew."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if begin in line]
    ends = [i for i, line in enumerate(lines) if end in line]
    if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
        raise SystemExit(f"{where}: expected one '{begin}' line and, after it, one '{end}' line")
    indent = lines[starts[0]][: len(lines[starts[0]]) - len(lines[starts[0]].lstrip())]
    generated = make(indent)  # type: ignore[operator]
    return "\n".join([*lines[: starts[0] + 1], *generated, *lines[ends[0] :]]) + "\n"


def generate(root: Path) -> dict[Path, str]:
    action_path, readme_path = root / "action.yml", root / "README.md"
    action = action_path.read_text(encoding="utf-8")
    action = replace_between(
        action, "BEGIN generated inputs", "END generated inputs", action_inputs, "action.yml"
    )
    action = replace_between(
        action, "BEGIN generated env", "END generated env", action_env, "action.yml"
    )
    readme = replace_between(
        readme_path.read_text(encoding="utf-8"),
        "BEGIN generated inputs",
        "END generated inputs",
        lambda _indent: readme_table(),
        "README.md",
    )
    return {action_path: action, readme_path: readme}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="fail when a file is out of date")
    mode.add_argument("--write", action="store_true", help="rewrite the generated parts")
    parser.add_argument("--root", type=Path, default=REPO, help="the repository (default: ours)")
    args = parser.parse_args(argv)
    for spec in INPUTS:
        spec.check()
    stale = 0
    for path, wanted in generate(args.root).items():
        current = path.read_text(encoding="utf-8")
        if current == wanted:
            continue
        if args.write:
            path.write_text(wanted, encoding="utf-8")
            print(f"wrote {path.name}")
            continue
        stale += 1
        sys.stdout.writelines(
            difflib.unified_diff(
                current.splitlines(keepends=True),
                wanted.splitlines(keepends=True),
                f"{path.name} (as it is)",
                f"{path.name} (from {SOURCE})",
            )
        )
    if stale:
        print(
            f"{stale} file(s) differ from {SOURCE}: run scripts/gen-inputs.py --write",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
