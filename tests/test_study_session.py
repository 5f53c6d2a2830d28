"""The daily drill as a candidate lives it: rating time, progress, end of the day, keys, undo of any action,
unknown filters, config that fsrs would refuse, coding cards in the flow."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from llmprep import clock, decks, paths, store
from llmprep.grading import catalogue
from llmprep.keys import KeyReader
from tests.conftest import as_schema_v3

START = datetime.fromisoformat("2026-01-05T09:00:00+00:00")
ROOT = Path(__file__).parent.parent


def rows(home: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(home / "llmprep.sqlite3") as conn:
        return conn.execute(sql).fetchall()


class SteppingClock:
    """An injected clock that moves `step` forward every time the user presses a key."""

    def __init__(self, start: datetime, step: timedelta) -> None:
        self.now = start
        self.step = step

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def stepping(monkeypatch: pytest.MonkeyPatch) -> SteppingClock:
    fake = SteppingClock(START, timedelta(seconds=75))
    monkeypatch.setattr(clock, "now", fake)
    read = KeyReader.read

    def read_and_wait(self: KeyReader) -> str:
        key = read(self)
        fake.now += fake.step  # the user thought for 75 s before this key
        return key

    monkeypatch.setattr(KeyReader, "read", read_and_wait)
    return fake


def test_a_rating_is_timestamped_when_the_key_is_pressed(cli, isolated: Path, demo_decks: Path, stepping) -> None:
    # Enter (reveal) at +75 s, then `1` (Again) at +150 s after the question appeared at START
    result = cli("--decks", str(demo_decks), "study", "--deck", "demo", "--new", "1", input="\n1\nq\n")
    assert result.code == 0, result.err
    ((reviewed_at, due),) = rows(
        isolated, "select l.reviewed_at, s.due from review_log l join card_state s on s.card_id = l.card_id"
    )
    rated = START + 2 * stepping.step
    assert datetime.fromtimestamp(reviewed_at / 1000, UTC) == rated  # milliseconds since the epoch
    # Again on a new card is the first learning step (1 min) after the key press, not after the question
    assert datetime.fromisoformat(due).replace(tzinfo=START.tzinfo) == rated + timedelta(minutes=1)


def test_space_rates_good_on_the_answer_screen(cli, isolated: Path, demo_decks: Path) -> None:
    cli("--decks", str(demo_decks), "study", "--deck", "demo", "--new", "1", input="\n \nq\n")
    assert rows(isolated, "select rating from review_log") == [(3,)]


def test_status_line_shows_anki_counts(cli, isolated: Path, demo_decks: Path) -> None:
    result = cli("--decks", str(demo_decks), "study", "--deck", "demo", input="\n1\nq\n")
    lines = [line for line in result.out.splitlines() if "learning" in line and "due" in line]
    assert "new 3 · learning 0 · due 0" in lines[0]
    assert "new 2 · learning 1 · due 0" in lines[1]  # the Again card is still to come today
    assert "demo · demo-one · alpha" in result.out  # deck and tags with the question


def test_end_of_the_day_says_what_comes_next(cli, isolated: Path, demo_decks: Path) -> None:
    cli("--decks", str(demo_decks), "study", "--deck", "demo", "--new", "1", input="\n4\nq\n")
    later = (START + timedelta(hours=1)).isoformat()
    result = cli("--decks", str(demo_decks), "study", "--deck", "demo", "--new", "0", input="q\n", now=later)
    assert "Nothing is due now. The next card is due in" in result.out
    assert "by the end of tomorrow" in result.out
    assert "2 new cards are waiting: llmprep study --deck demo --new 2" in result.out
    assert "llmprep study --deck demo --cram" in result.out


def test_undo_undoes_a_suspend_not_the_rating_before_it(cli, isolated: Path, demo_decks: Path) -> None:
    # rate demo-one Good, suspend demo-two, undo: demo-two comes back, demo-one keeps its rating
    result = cli("--decks", str(demo_decks), "study", "--deck", "demo", input="\n3\n\ns\nu\nq\n")
    assert "undid suspend of demo-two" in result.out
    assert rows(isolated, "select id, suspended from cards where id in ('demo-one', 'demo-two') order by id") == [
        ("demo-one", 0),
        ("demo-two", 0),
    ]
    assert rows(isolated, "select card_id, rating from review_log") == [("demo-one", 3)]


def test_bury_until_tomorrow_and_undo_it(cli, isolated: Path, demo_decks: Path) -> None:
    result = cli("--decks", str(demo_decks), "study", "--deck", "demo", input="b\nq\n")
    assert "buried demo-one until tomorrow" in result.out
    again = cli("--decks", str(demo_decks), "study", "--deck", "demo", input="q\n")
    assert "Question one" not in again.out and "Question two" in again.out
    tomorrow = cli(
        "--decks", str(demo_decks), "study", "--deck", "demo", input="q\n", now=(START + timedelta(days=1)).isoformat()
    )
    assert "Question one" in tomorrow.out
    undone = cli("--decks", str(demo_decks), "study", "--deck", "demo", input="\nb\nu\nq\n", now=START.isoformat())
    assert "undid bury of demo-two" in undone.out
    assert undone.out.count("Question two") == 2  # shown again right after the undo


@pytest.mark.parametrize(
    ("option", "value", "suggestion"), [("--tag", "alpah", "`alpha`"), ("--deck", "dmo", "`demo`")]
)
def test_unknown_filters_are_errors_with_the_closest_names(
    cli, isolated: Path, demo_decks: Path, option: str, value: str, suggestion: str
) -> None:
    result = cli("--decks", str(demo_decks), "study", option, value)
    assert result.code == 2
    assert f"no {option[2:]} `{value}`; did you mean {suggestion}" in result.err
    unknown = cli("--decks", str(demo_decks), "study", "--tag", "zzzz")
    assert unknown.code == 2 and "known tags include" in unknown.err


def test_fsrs_parameters_are_validated_on_set_and_on_load(cli, isolated: Path, demo_decks: Path) -> None:
    refused = cli("config", "fsrs_parameters", "1")
    assert refused.code == 2 and "1 numbers, fsrs needs 21" in refused.err
    assert "fsrs_parameters" not in (isolated / "config.toml").read_text()
    out_of_bounds = cli("config", "fsrs_parameters", ",".join(["500"] * 21))
    assert out_of_bounds.code == 2 and "outside" in out_of_bounds.err
    # a file edited by hand: every command names the key, the value and the command that resets it
    (isolated / "config.toml").write_text("fuzz = false\nfsrs_parameters = [1.0]\n")
    broken = cli("--decks", str(demo_decks), "study")
    assert broken.code == 1 and "internal error" not in broken.err
    assert "`fsrs_parameters`" in broken.err and "[1.0]" in broken.err
    assert "llmprep config fsrs_parameters --reset" in broken.err
    assert cli("config", "fsrs_parameters", "--reset").code == 0
    assert "fuzz = false" in (isolated / "config.toml").read_text()  # the other settings are kept
    assert cli("--decks", str(demo_decks), "study", input="q\n").code == 0


def test_e_prints_where_a_built_in_card_lives(cli, isolated: Path) -> None:
    result = cli("study", "--deck", "lora-peft", "--new", "1", input="e\nq\n")
    assert "built-in card, defined at" in result.out and "lora-peft.yaml:" in result.out


def test_e_opens_a_user_card_at_its_line(cli, isolated: Path, demo_decks: Path, tmp_path: Path, monkeypatch) -> None:
    record = tmp_path / "editor-args"
    editor = tmp_path / "editor"
    editor.write_text(f'#!/bin/sh\necho "$@" > {record}\n')
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.setenv("VISUAL", "")
    result = cli("--decks", str(demo_decks), "study", "--deck", "demo", input="e\nq\n")
    assert result.code == 0, result.err
    assert record.read_text().split() == ["+4", str(demo_decks / "demo.yaml")]


CODE_DECK = """\
deck: practice
title: {zh: 练习, en: Practice}
cards:
  - id: practice-softmax
    kind: code
    grader: softmax
    q: {zh: 手写 softmax, en: Write softmax}
    sources: ["Bridle 1990"]
  - id: practice-qa
    q: {zh: 问题, en: A question}
    a: {zh: 答案, en: An answer}
    sources: ["Paper 2020, §1"]
"""


def test_a_skipped_coding_card_waits_until_tomorrow(cli, isolated: Path, tmp_path: Path) -> None:
    decks = tmp_path / "code-decks"
    decks.mkdir()
    (decks / "practice.yaml").write_text(CODE_DECK, encoding="utf-8")
    first = cli("--decks", str(decks), "study", "--deck", "practice", input="\nq\n")
    assert "A coding card" in first.out and "skipped practice-softmax until tomorrow" in first.out
    again = cli("--decks", str(decks), "study", "--deck", "practice", input="q\n")
    assert "A coding card" not in again.out and "A question" in again.out


def test_c_writes_the_coding_card_in_the_drill(cli, isolated: Path, tmp_path: Path, monkeypatch) -> None:
    decks = tmp_path / "code-decks"
    decks.mkdir()
    (decks / "practice.yaml").write_text(CODE_DECK, encoding="utf-8")
    editor = tmp_path / "fake-editor"
    editor.write_text(f'#!/bin/sh\ncp {ROOT / "solutions" / "softmax.py"} "$1"\n')
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.setenv("VISUAL", "")
    result = cli("--decks", str(decks), "study", "--deck", "practice", input="c\nq\n")
    assert result.code == 0, result.err
    assert "all checks pass" in result.out and "rated Good" in result.out
    assert "A question" in result.out  # back in the drill after grading
    assert rows(isolated, "select card_id, rating from review_log") == [("practice-softmax", 3)]
    assert os.path.exists(isolated / "workspace" / "softmax.py")


MATH_DECK = """\
deck: maths
title: {zh: 公式, en: Formulas}
cards:
  - id: maths-attention
    q: {zh: "注意力 \\\\(\\\\mathrm{softmax}(QK^T/\\\\sqrt{d_k})V\\\\)", en: "Attention $$\\\\mathrm{softmax}(QK^T/\\\\sqrt{d_k})V$$ costs $18?"}
    a:
      zh: "答案"
      en: |
        Code:
        ```python
        scores = q @ k.transpose(-2, -1)
        ```
    sources: ["Vaswani et al. 2017, §3.2.1"]
"""


def test_latex_shows_as_unicode_and_dollars_stay(cli, isolated: Path, tmp_path: Path) -> None:
    decks = tmp_path / "maths"
    decks.mkdir()
    (decks / "maths.yaml").write_text(MATH_DECK, encoding="utf-8")
    result = cli("--decks", str(decks), "study", "--deck", "maths", "--lang", "en", input="\nq\n")
    assert "softmax(QK^T/√(d_k))V" in result.out and "\\sqrt" not in result.out
    assert "costs $18?" in result.out
    zh = cli("--decks", str(decks), "study", "--deck", "maths", "--lang", "zh", input="q\n")
    assert "√(d_k)" in zh.out


def test_code_theme_is_a_setting_checked_against_pygments(cli, isolated: Path) -> None:
    assert cli("config", "code_theme", "friendly").code == 0
    refused = cli("config", "code_theme", "no-such-theme")
    assert refused.code == 2 and "Pygments style" in refused.err


def _deck(name: str, count: int, high: tuple[int, ...] = ()) -> str:
    lines = [f"deck: {name}", f"title: {{zh: {name}, en: {name}}}", "cards:"]
    for i in range(count):
        lines += [f"  - id: {name}-{i}", f"    q: {{zh: {name} 问题 {i}, en: {name} question {i}}}"]
        lines += ["    a: {zh: 答案, en: answer}", '    sources: ["Paper 2020, §1"]']
        if i in high:
            lines.append("    priority: high")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("interleaved", ["alpha-0", "beta-2", "alpha-1", "beta-0"]),  # decks take turns; beta-2 is high priority
        ("priority", ["beta-2", "alpha-0", "alpha-1", "beta-0"]),
        ("deck", ["alpha-0", "alpha-1", "alpha-2", "beta-0"]),  # file order
    ],
)
def test_new_card_order(cli, isolated: Path, tmp_path: Path, order: str, expected: list[str]) -> None:
    decks = tmp_path / "ordered"
    decks.mkdir()
    (decks / "alpha.yaml").write_text(_deck("alpha", 3), encoding="utf-8")
    (decks / "beta.yaml").write_text(_deck("beta", 3, high=(2,)), encoding="utf-8")
    if order != "interleaved":  # the default
        assert cli("config", "new_order", order).code == 0
    cli("--decks", str(decks), "study", "--deck", "alpha", "--deck", "beta", "--new", "4", input="\n3\n" * 4 + "q\n")
    assert [card for (card,) in rows(isolated, "select card_id from review_log order by id")] == expected


def test_an_older_database_is_backed_up_then_upgraded(cli, isolated: Path, demo_decks: Path) -> None:
    cli("--decks", str(demo_decks), "study", "--deck", "demo", input="\n3\nq\n")
    db = isolated / "llmprep.sqlite3"
    with sqlite3.connect(db) as conn:  # make it the schema v1 of earlier releases: no cards.priority
        as_schema_v3(conn)  # v3's review log, with JSON states and text times
        conn.execute("ALTER TABLE cards DROP COLUMN priority")
        conn.execute("ALTER TABLE attempts DROP COLUMN hints_used")  # and none of v3's coaching columns
        conn.execute("ALTER TABLE attempts DROP COLUMN session_s")
        conn.execute("PRAGMA user_version = 1")
    result = cli("--decks", str(demo_decks), "study", "--deck", "demo", input="q\n")
    assert result.code == 0, result.err
    (backup,) = (isolated / "backups").glob("llmprep.v1.*.sqlite3")
    with sqlite3.connect(backup) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (1,)
        assert conn.execute("select card_id, rating from review_log").fetchall() == [("demo-one", 3)]
    assert rows(isolated, "PRAGMA user_version") == [(store.SCHEMA_VERSION,)]
    assert rows(isolated, "select card_id, rating from review_log") == [("demo-one", 3)]
    # the next sync filled the new column in from the decks
    high = sum(
        c.priority == "high" for d in decks.load([paths.builtin_decks()], None, catalogue.names()) for c in d.cards
    )
    assert high >= 15 and rows(isolated, "select count(*) from cards where priority = 1") == [(high,)]
    assert not list((isolated / "backups").glob("*.partial"))
