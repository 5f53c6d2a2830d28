from __future__ import annotations

import re
from pathlib import Path

import pytest

from llmprep import decks, paths
from llmprep.grading import catalogue
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


def test_validate_reports_every_problem_of_every_file_in_one_run(cli, tmp_path: Path) -> None:
    """A file's own problems do not hide its cards' clashes with other files, nor their unknown graders."""
    folder = tmp_path / "user"
    folder.mkdir()
    qa = "    q: {zh: q, en: q}\n    a: {zh: a, en: a}\n"
    a = write(
        folder,
        "a",
        "deck: a\ntitle: {zh: a, en: a}\ncards:\n"
        f"  - id: a-typed\n    tags: lora\n{qa}"
        f"  - id: shared\n{qa}"
        "  - id: a-code\n    kind: code\n    grader: nope\n    q: {zh: q, en: q}\n",
    )
    b = write(folder, "b", f"deck: b\ntitle: {{zh: b, en: b}}\ncards:\n  - id: b-one\n{qa}  - id: shared\n{qa}")
    c = write(folder, "c", "deck: c\ntitle: {zh: c, en: c\n")
    result = cli("decks", "validate", str(folder))
    assert result.code == 1
    assert "error: 4 problem(s) in 3 file(s)" in result.err, result.err
    assert f"{a}:5: a-typed: `tags`" in result.err
    assert f"{b}:7: shared: duplicate id, also at {a}:8;" in result.err
    assert f"{a}:11: a-code: grader `nope` does not exist" in result.err
    assert f"{c}:3: YAML syntax error" in result.err


BROKEN = "deck: bad\ntitle: {zh: a, en: b}\ncards:\n  - id: bad-a\n    q: {zh: a, en: b}\n"


def test_broken_personal_deck_is_skipped_with_a_warning(
    cli, tmp_path: Path, demo_decks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = write(demo_decks, "bad", BROKEN)
    warning = (
        f"warning: skipped your deck {bad} (1 problem(s)): {bad}:4: bad-a: a `qa` card needs an answer "
        "`a: {zh: ..., en: ...}`; `llmprep decks validate` lists them all"
    )
    studied = cli("--decks", str(demo_decks), "study", "--deck", "demo", "--lang", "en", input="\n3\nq\n")
    assert studied.code == 0, studied.err
    assert "Question one" in studied.out
    assert studied.err.strip() == warning

    monkeypatch.setenv("LLMPREP_DECKS", str(demo_decks))
    listed = cli("decks")
    assert listed.code == 0, listed.err
    assert re.search(r"^│ demo ", listed.out, re.MULTILINE) and not re.search(r"^│ bad ", listed.out, re.MULTILINE)
    assert listed.err.strip() == warning

    validated = cli("decks", "validate")
    assert validated.code == 1
    assert f"{bad}:4: bad-a: a `qa` card needs an answer" in validated.err


def test_personal_deck_clashing_with_a_builtin_id_is_skipped(cli, tmp_path: Path, demo_decks: Path) -> None:
    builtin = decks.load([paths.builtin_decks()], None, catalogue.names())
    builtin_id = next(card.id for deck in builtin for card in deck.cards if card.kind == "qa")
    mine = write(demo_decks, "mine", DEMO_DECK.replace("deck: demo", "deck: mine").replace("demo-", "mine-"))
    mine.write_text(mine.read_text(encoding="utf-8").replace("mine-two", builtin_id), encoding="utf-8")
    result = cli("--decks", str(demo_decks), "decks")
    assert result.code == 0, result.err
    assert re.search(r"^│ demo ", result.out, re.MULTILINE) and not re.search(r"^│ mine ", result.out, re.MULTILINE)
    assert result.err.startswith(f"warning: skipped your deck {mine} (1 problem(s)): {mine}:10: {builtin_id}: ")
    assert "duplicate id, also at" in result.err


def test_broken_builtin_deck_is_still_an_error(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    builtin = tmp_path / "builtin"
    builtin.mkdir()
    bad = write(builtin, "bad", BROKEN)
    monkeypatch.setattr(paths, "builtin_decks", lambda: builtin)
    result = cli("decks")
    assert result.code == 1
    assert f"{bad}:4: bad-a: a `qa` card needs an answer" in result.err
    assert "warning" not in result.err


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
