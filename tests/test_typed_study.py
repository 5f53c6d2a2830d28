"""`study --type`: the suggested rating, the typed text stored with its rating (and gone with it on undo), cards
without points, the config switch, the schema upgrade, and the `typed` section of stats."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from llmprep import answers, config, scheduler, store
from tests.conftest import as_schema_v3, points_deck

FULL = "kw one, kw two, kw three and kw four\n\n"


def rows(home: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(home / "llmprep.sqlite3") as conn:
        return conn.execute(sql).fetchall()


@pytest.mark.parametrize(
    ("hits", "seconds", "expected"),
    [
        ([True] * 4, 120.0, 3),  # every point: Good
        ([True] * 4, 59.9, 4),  # every point, in under a third of 3 minutes: Easy
        ([True] * 4, 60.0, 3),  # a third exactly is not under it
        ([True] * 4, None, 3),  # no time known: never Easy
        ([True, True, True, False], 10.0, 2),  # at least half: Hard, however fast
        ([True, True, False, False], 10.0, 2),
        ([True, False, False], 10.0, 1),  # fewer than half: Again
        ([False] * 5, 10.0, 1),
        ([], 10.0, None),  # no points: no suggestion
    ],
)
def test_suggested_rating(hits: list[bool], seconds: float | None, expected: int | None) -> None:
    assert answers.suggest_rating(hits, seconds) == expected


def test_fast_is_a_third_of_the_budget_given() -> None:
    assert answers.suggest_rating([True] * 3, 250.0, budget_s=900.0) == 4
    assert answers.suggest_rating([True] * 3, 350.0, budget_s=900.0) == 3


def test_typed_answers_are_stored_with_their_rating_and_shown_by_stats(cli, isolated: Path, tmp_path: Path) -> None:
    decks = ("--decks", str(points_deck(tmp_path / "decks")))
    # card 1: every point, Enter takes the suggestion (the pinned clock makes it fast: Easy); card 2: half the
    # points, suggestion Hard overridden with 1; card 3: `q` alone quits
    script = FULL + "\n" + "kw one\nkw two\n\n" + "1\n" + "q\n"
    result = cli(*decks, "study", "--type", "--deck", "ta", input=script)
    assert result.code == 0, result.err
    assert "key points: 4 of 4 made" in result.out and "✗ missed point three" in result.out
    assert "suggested: Easy" in result.out and "suggested: Hard" in result.out
    stored = rows(
        isolated,
        "select l.card_id, l.rating, a.text, a.points_hit, a.points_total, a.typed_s "
        "from answers a join review_log l on l.id = a.review_log_id order by l.id",
    )
    assert stored == [
        ("ta-0", 4, "kw one, kw two, kw three and kw four", 4, 4, 0.0),
        ("ta-1", 1, "kw one\nkw two", 2, 4, 0.0),
    ]
    typed = json.loads(cli(*decks, "stats", "--json").out)["typed"]
    assert typed == {
        "answers": 2,
        "mean_coverage": 0.75,
        "week": {"answers": 2, "mean_coverage": 0.75},
        "month": {"answers": 2, "mean_coverage": 0.75},
    }
    # 40 days later the answers are outside both windows, still in the total
    later = json.loads(cli(*decks, "stats", "--json", now="2026-02-14T09:00:00+00:00").out)["typed"]
    assert later["answers"] == 2 and later["week"] == {"answers": 0, "mean_coverage": None}
    text = cli(*decks, "stats", now="2026-01-05T09:00:00+00:00").out
    assert "Typed answers: 2 · key points made 75% (last 7 days 75%" in text


def test_zh_checklist_and_undo_takes_the_answer_with_it(cli, isolated: Path, tmp_path: Path) -> None:
    decks = ("--decks", str(points_deck(tmp_path / "decks")))
    # card 1 answered in zh and rated; card 2 answered, then `u` on its rating screen undoes card 1's rating
    script = "要点一，要点三\n\n\n" + "x\n\n" + "u\n" + "q\n"
    result = cli(*decks, "--lang", "zh", "study", "--type", "--deck", "ta", input=script)
    assert result.code == 0, result.err
    assert "要点：答到 2/4" in result.out and "✗ 漏掉  要点二" in result.out and "建议评分：困难" in result.out
    assert "已撤销 ta-0 的评分" in result.out
    assert rows(isolated, "select count(*) from review_log") == [(0,)]
    assert rows(isolated, "select count(*) from answers") == [(0,)]


def test_cards_without_points_are_rated_as_usual(cli, isolated: Path, demo_decks: Path) -> None:
    (isolated / "config.toml").write_text("fuzz = false\ntype_answers = true\n")  # typed without --type
    # Enter on the rating screen suggests nothing here: it is ignored until a rating key comes
    result = cli("--decks", str(demo_decks), "study", "--deck", "demo", input="my answer\n\n\n3\nq\n")
    assert result.code == 0, result.err
    assert "key points" not in result.out and "suggested" not in result.out
    assert "press 1-4 to rate" in result.out
    assert rows(isolated, "select text, points_hit, points_total from answers") == [("my answer", 0, 0)]
    assert rows(isolated, "select rating from review_log") == [(3,)]
    # --no-type: the plain drill (Enter reveals), nothing typed is stored
    plain = cli("--decks", str(demo_decks), "study", "--no-type", "--deck", "demo", input="\n3\nq\n")
    assert plain.code == 0 and "type your answer" not in plain.out
    assert rows(isolated, "select count(*) from answers") == [(1,)]


def test_rate_and_undo_in_the_core(isolated: Path) -> None:
    engine = store.open_engine(isolated / "llmprep.sqlite3")
    now = datetime.fromisoformat("2026-01-05T09:00:00+00:00")
    with Session(engine) as session, session.begin():
        session.add(store.CardRow(id="x", deck="d", kind="qa", position=0, content_hash="h", added_at=now))
    reviewer = scheduler.Reviewer(engine, config.Config(fuzz=False))
    typed = scheduler.TypedAnswer("an answer", 2, 3, 42.5)
    recorded = reviewer.rate("x", reviewer.outcomes("x", now)[2], now, 1000, answer=typed)
    with Session(engine) as session:
        row = session.get(store.AnswerRow, recorded.log_id)
        assert row is not None and (row.text, row.points_hit, row.points_total, row.typed_s) == (
            "an answer",
            2,
            3,
            42.5,
        )
    reviewer.undo(recorded)
    with Session(engine) as session:
        assert session.scalars(select(store.AnswerRow)).all() == []


def test_a_v3_database_gains_the_new_tables(cli, isolated: Path, demo_decks: Path) -> None:
    cli("--decks", str(demo_decks), "study", "--deck", "demo", input="\n3\nq\n")
    db = isolated / "llmprep.sqlite3"
    with sqlite3.connect(db) as conn:
        as_schema_v3(conn)
    result = cli("--decks", str(demo_decks), "study", "--type", "--deck", "demo", input="typed\n\n3\nq\n")
    assert result.code == 0, result.err
    assert rows(isolated, "PRAGMA user_version") == [(store.SCHEMA_VERSION,)]
    assert rows(isolated, "select text from answers") == [("typed",)]
    assert rows(isolated, "select count(*) from interviews") == [(0,)]


def test_typed_answers_and_interviews_survive_export_and_import(cli, tmp_path: Path) -> None:
    decks = ("--decks", str(points_deck(tmp_path / "decks")))
    db, copy = tmp_path / "a" / "llmprep.sqlite3", tmp_path / "b" / "llmprep.sqlite3"
    cli("--db", str(db), *decks, "study", "--type", "--deck", "ta", input=FULL + "\n" + "kw one\n\n1\nq\n")
    interview = ("interview", "--deck", "ta", "--deck", "tb", "--minutes", "6", "--coding", "0", "--yes")
    later = "2026-01-06T09:00:00+00:00"  # a review is keyed by card and time: not the study's pinned instant
    assert cli("--db", str(db), *decks, *interview, input="kw two\n\n" * 2, now=later).code == 0
    exported = tmp_path / "history.json"
    assert cli("--db", str(db), *decks, "export", str(exported)).code == 0
    result = cli("--db", str(copy), *decks, "import", str(exported))
    assert result.code == 0, result.err
    for section in ("typed", "interviews", "reviews", "retention"):
        assert _stats(cli, copy, decks)[section] == _stats(cli, db, decks)[section], section
    answers_sql = "select l.card_id, a.text, a.points_hit from answers a join review_log l on l.id = a.review_log_id"
    with sqlite3.connect(db) as original, sqlite3.connect(copy) as imported:
        assert sorted(original.execute(answers_sql)) == sorted(imported.execute(answers_sql))
        assert len(list(original.execute(answers_sql))) == 4
        report = "select started_at, score, report from interviews"
        assert original.execute(report).fetchall() == imported.execute(report).fetchall()
    merged = cli("--db", str(copy), *decks, "import", str(exported), "--merge")
    assert merged.code == 0 and "imported 0 reviews" in merged.out


def _stats(cli, db: Path, decks: tuple[str, ...]) -> dict:
    return json.loads(cli("--db", str(db), *decks, "stats", "--json").out)
