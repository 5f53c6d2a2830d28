from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import DEMO_DECK


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        (
            "deck: bad\ntitle: {zh: a, en: b}\ncards:\n  - id: x\n    q: {zh: a, en: b\n",
            6,
            "YAML syntax error",
        ),
        (
            "deck: bad\ntitle: {zh: a, en: b}\ncards:\n  - id: bad-a\n    q: {zh: a, en: b}\n",
            4,
            "needs an answer",
        ),
        (
            "deck: bad\ntitle: {zh: a, en: b}\ncards:\n  - id: bad-a\n    q: {zh: a, en: b}\n"
            "    a: {zh: a, en: b}\n    answer: oops\n",
            7,
            "unknown key `answer`",
        ),
        (
            "deck: bad\ntitle: {zh: a, en: b}\ncards:\n  - id: bad-a\n    tags: lora\n    q: {zh: a, en: b}\n"
            "    a: {zh: a, en: b}\n",
            5,
            "`tags`",
        ),
        (
            "deck: bad\ntitle: {zh: a, en: b}\ncards:\n  - id: bad-a\n    q: {zh: a, en: '  '}\n"
            "    a: {zh: a, en: b}\n",
            5,
            "text is empty",
        ),
        (
            "deck: bad\ntitle: {zh: a, en: b}\ncards:\n  - id: bad-a\n    q: {zh: a}\n    a: {zh: a, en: b}\n",
            5,
            "missing `q.en`",
        ),
        (
            "deck: bad\ntitle: {zh: a, en: b}\ncards:\n  - id: bad-a\n    q: {zh: a, en: b}\n    a: {zh: a, en: b}\n"
            "  - id: bad-a\n    q: {zh: c, en: d}\n    a: {zh: a, en: b}\n",
            7,
            "duplicate id",
        ),
        (
            "deck: bad\ntitle: {zh: a, en: b}\ncards:\n  - id: bad-code\n    kind: code\n    grader: nope\n"
            "    q: {zh: a, en: b}\n",
            4,
            "grader `nope` does not exist",
        ),
        (
            "deck: other\ntitle: {zh: a, en: b}\ncards:\n  - id: bad-a\n    q: {zh: a, en: b}\n    a: {zh: a, en: b}\n",
            1,
            "must equal the file name",
        ),
        (
            "deck: bad\ntitle: {zh: a, en: b}\ncards:\n  - id: Bad_Id\n    q: {zh: a, en: b}\n    a: {zh: a, en: b}\n",
            4,
            "lowercase letters",
        ),
        ("deck: bad\ntitle: {zh: a, en: b}\ndeck: bad\ncards: []\n", 3, "duplicate key `deck`"),
    ],
    ids=[
        "syntax",
        "missing-answer",
        "unknown-key",
        "wrong-type",
        "empty-text",
        "missing-lang",
        "dup-id",
        "unknown-grader",
        "deck-name",
        "bad-id",
        "dup-key",
    ],
)
def test_each_error_names_file_line_and_fix(cli, tmp_path: Path, text: str, line: int, expected: str) -> None:
    folder = tmp_path / "user"
    folder.mkdir()
    path = write(folder, "bad", text)
    result = cli("decks", "validate", str(path))
    assert result.code == 1
    assert f"{path}:{line}:" in result.err, result.err
    assert expected in result.err
    assert "Traceback" not in result.err


def test_duplicate_id_across_files(cli, tmp_path: Path, demo_decks: Path) -> None:
    write(demo_decks, "copy", DEMO_DECK.replace("deck: demo", "deck: copy").replace("demo-two", "copy-two"))
    result = cli("decks", "validate", str(demo_decks))
    assert result.code == 1
    copy, demo = demo_decks / "copy.yaml", demo_decks / "demo.yaml"
    assert f"{demo}:4: demo-one: duplicate id, also at {copy}:4;" in result.err


def test_invalid_user_deck_stops_study_with_the_location(cli, tmp_path: Path) -> None:
    folder = tmp_path / "user"
    folder.mkdir()
    path = write(folder, "bad", "deck: bad\ntitle: {zh: a, en: b}\ncards:\n  - id: bad-a\n    q: {zh: a, en: b}\n")
    result = cli("--decks", str(folder), "study")
    assert result.code == 1
    assert f"{path}:4: bad-a" in result.err


def test_valid_deck_and_not_utf8(cli, tmp_path: Path, demo_decks: Path) -> None:
    assert cli("decks", "validate", str(demo_decks)).code == 0
    bad = demo_decks / "latin.yaml"
    bad.write_bytes(b"deck: latin\ntitle: {zh: \xff, en: b}\n")
    result = cli("decks", "validate", str(bad))
    assert result.code == 1
    assert "not UTF-8" in result.err


def test_builtin_decks_are_valid(cli) -> None:
    result = cli("decks", "validate")
    assert result.code == 0, result.err
