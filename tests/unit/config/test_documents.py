"""Reading users' files: byte-order marks, bounds, duplicate keys, positions, no content echoed."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from ecs_deploy.config.documents import MAX_DEPTH, MAX_FILE_BYTES, MAX_VALUES, load_document
from ecs_deploy.errors import InputError

LEVELS = zip("abcdefgh", "bcdefghi", strict=True)  # each level: nine aliases of the one before
BOMB = "\n".join(
    [
        'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
        *(f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]" for p, n in LEVELS),
        "services: *i",
    ]
)


def load(tmp_path: Path, name: str, content: str | bytes) -> object:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return load_document(path, what="the file").data


def refused(tmp_path: Path, name: str, content: str | bytes) -> InputError:
    with pytest.raises(InputError) as caught:
        load(tmp_path, name, content)
    return caught.value


@pytest.mark.parametrize("name", ["f.json", "f.yml"])
@pytest.mark.parametrize(
    "encode",
    [
        lambda text: codecs.BOM_UTF8 + text.encode(),
        lambda text: text.encode("utf-16"),  # with its mark, as PowerShell's `>` writes it
    ],
    ids=["utf-8 bom", "utf-16"],
)
def test_byte_order_marks_are_accepted(tmp_path: Path, name: str, encode: object) -> None:
    text = '{"family": "web", "cpu": "256"}'
    assert load(tmp_path, name, encode(text)) == {"family": "web", "cpu": "256"}  # type: ignore[operator]


def test_not_utf8_names_the_position_not_the_bytes(tmp_path: Path) -> None:
    error = refused(tmp_path, "f.yml", b"family: web\ncpu: \xff\xfe256\n")
    assert str(error.location) == f"{tmp_path / 'f.yml'}:2:6"
    assert "UTF-8" in error.message and "xff" not in error.message


def test_a_file_over_the_size_bound_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    error = refused(tmp_path, "big.yml", "# " + "x" * MAX_FILE_BYTES)
    assert f"larger than {MAX_FILE_BYTES // 1024} KiB" in error.message


def test_an_alias_bomb_is_refused(tmp_path: Path) -> None:
    error = refused(tmp_path, "bomb.yml", BOMB)
    assert f"more than {MAX_VALUES} values" in error.message
    assert error.location is not None and error.location.line is not None


def test_aliases_within_the_bound_still_work(tmp_path: Path) -> None:
    data = load(tmp_path, "f.yml", "base: &b {cpu: 256}\nweb: *b\nworker:\n  <<: *b\n  cpu: 512\n")
    assert data == {"base": {"cpu": 256}, "web": {"cpu": 256}, "worker": {"cpu": 512}}


def test_an_alias_inside_its_own_anchor_is_refused(tmp_path: Path) -> None:
    assert "alias inside its own anchor" in refused(tmp_path, "f.yml", "a: &a [1, *a]\n").message


@pytest.mark.parametrize("name", ["f.json", "f.yml"])
def test_too_many_values_are_refused(tmp_path: Path, name: str) -> None:
    error = refused(tmp_path, name, json.dumps(list(range(MAX_VALUES + 1))))
    assert f"more than {MAX_VALUES} values" in error.message


@pytest.mark.parametrize(("name", "open_", "close"), [("f.json", "[", "]"), ("f.yml", "[", "]")])
def test_deep_nesting_is_refused(tmp_path: Path, name: str, open_: str, close: str) -> None:
    depth = MAX_DEPTH + 1
    error = refused(tmp_path, name, open_ * depth + close * depth)
    assert f"{MAX_DEPTH} levels" in error.message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("f.yml", "version: v1\ncluster: a\nservices: []\ncluster: b\n"),
        ("f.json", '{"version": "v1",\n "cluster": "a",\n "services": [],\n "cluster": "b"}'),
    ],
)
def test_a_key_twice_is_an_error_naming_both_lines(tmp_path: Path, name: str, content: str) -> None:
    error = refused(tmp_path, name, content)
    assert "'cluster' twice" in error.message and "lines 2 and 4" in error.message
    assert error.location is not None and error.location.line == 4
    assert "'b'" not in error.message and "'a'" not in error.message  # values are not echoed


def test_the_same_key_in_different_mappings_is_fine(tmp_path: Path) -> None:
    content = '{"a": {"name": 1}, "b": [{"name": 2}, {"name": 3}]}'
    assert load(tmp_path, "f.json", content) == json.loads(content)


def test_json_positions_of_keys_and_values(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_text('{\n  "containerDefinitions": [\n    {"name": "a", "x\\"y": [1, {}]}\n  ]\n}')
    document = load_document(path, what="the file")
    assert document.location(("containerDefinitions", 0, 'x"y'), of_key=True).line == 3
    assert document.location(("containerDefinitions", 0, 'x"y'), of_key=True).column == 19
    assert document.location(("containerDefinitions", 0, 'x"y', 1)).column == 31
    assert document.location(("containerDefinitions",), of_key=True).column == 3


def test_syntax_errors_do_not_echo_the_file(tmp_path: Path) -> None:
    """/etc/passwd given as a file: the error says where, not what is there."""
    content = "root:x:0:0:root:/root:/bin/bash\nsecret: [unclosed\n"
    for name in ("f.json", "f.yml"):
        error = refused(tmp_path, name, content)
        assert "root" not in error.message and "unclosed" not in error.message


@pytest.mark.parametrize(
    ("content", "shown", "hidden"),
    [
        ("a: *hunter2\n", "found undefined alias (not shown)", "hunter2"),
        ("a: !hunter2 x\n", "for the tag (not shown)", "hunter2"),
        ("a:\n\tb: 1\n", "found character '\\t'", None),
    ],
)
def test_yaml_problems_keep_characters_and_hide_names(
    tmp_path: Path, content: str, shown: str, hidden: str | None
) -> None:
    error = refused(tmp_path, "f.yml", content)
    assert shown in error.message
    assert hidden is None or hidden not in error.message
