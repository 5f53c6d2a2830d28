from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

from tests.conftest import DEMO_DECK

START = datetime.fromisoformat("2026-01-05T09:00:00+00:00")


def rows(home: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(home / "llmprep.sqlite3") as conn:
        return conn.execute(sql).fetchall()


def state_of(home: Path, card_id: str) -> tuple | None:
    found = rows(
        home,
        f"select state, step, stability, difficulty, due, last_review from card_state where card_id = '{card_id}'",
    )
    return found[0] if found else None


def test_scripted_session_shows_rates_good_then_again(cli, isolated: Path, demo_decks: Path) -> None:
    result = cli("--decks", str(demo_decks), "study", "--deck", "demo", "--lang", "en", input="\n3\n\n1\nq\n")
    assert result.code == 0, result.err
    assert "Question one" in result.out and "Answer one" in result.out and "Pitfall one" in result.out
    assert "Question two" in result.out
    assert rows(isolated, "select card_id, rating, kind from review_log order by id") == [
        ("demo-one", 3, "new"),
        ("demo-two", 1, "new"),
    ]
    assert "Again 1  Hard 0  Good 1  Easy 0" in result.out


def test_buttons_show_the_interval_that_is_applied(cli, isolated: Path, demo_decks: Path) -> None:
    result = cli("--decks", str(demo_decks), "study", "--deck", "demo", input="\n4\nq\n")
    assert "4 Easy (" in result.out
    shown = result.out.split("4 Easy (")[1].split(")")[0]
    assert f"next in {shown}" in result.out


def test_a_month_of_reviews_grows_and_collapses_intervals(cli, isolated: Path, demo_decks: Path) -> None:
    """Study demo-one whenever it is due for 60 days: Good/Easy grow the interval, Again collapses it."""
    now = START
    plan = ["3", "3", "3", "4", "1", "3", "3"]
    intervals: list[float] = []
    for answer in plan:
        result = cli(
            "--decks",
            str(demo_decks),
            "study",
            "--tag",
            "alpha",
            "--new",
            "1",
            input=f"\n{answer}\nq\n",
            now=now.isoformat(),
        )
        assert "Question one" in result.out, (answer, now, result.out)
        due = datetime.fromisoformat(state_of(isolated, "demo-one")[4]).replace(tzinfo=now.tzinfo)
        intervals.append((due - now).total_seconds() / 86400)
        now = due + timedelta(minutes=1)
    # learning step (10 min) -> review intervals grow with Good and Easy
    assert intervals[0] < 1 <= intervals[1] < intervals[2] < intervals[3]
    # Again on a review card collapses to a relearning step of minutes
    assert intervals[4] < 1 / 24
    assert intervals[5] < intervals[3]
    assert intervals[6] > intervals[5]
    # a card not yet due is not shown
    early = cli(
        "--decks",
        str(demo_decks),
        "study",
        "--deck",
        "demo",
        "--new",
        "0",
        input="\nq\n",
        now=(now - timedelta(days=max(intervals[6] - 1, 0.5))).isoformat(),
    )
    assert "Question one" not in early.out
    kinds = [k for (k,) in rows(isolated, "select kind from review_log where card_id='demo-one' order by id")]
    assert kinds == ["new", "learning", "review", "review", "review", "relearning", "review"]


def test_undo_restores_the_exact_prior_state(cli, isolated: Path, demo_decks: Path) -> None:
    cli("--decks", str(demo_decks), "study", "--deck", "demo", "--new", "1", input="\n3\nq\n")
    before = state_of(isolated, "demo-one")
    later = (START + timedelta(hours=1)).isoformat()
    result = cli("--decks", str(demo_decks), "study", "--deck", "demo", "--new", "0", input="\n4\nu\nq\n", now=later)
    assert "undid Easy on demo-one" in result.out
    assert state_of(isolated, "demo-one") == before
    assert rows(isolated, "select count(*) from review_log") == [(1,)]
    # undo of a new card's first rating makes it new again
    cli("--decks", str(demo_decks), "study", "--deck", "demo", "--tag", "beta", input="\n2\nu\nq\n", now=later)
    assert state_of(isolated, "demo-two") is None


def test_leech_after_eight_agains_is_suspended(cli, isolated: Path, demo_decks: Path) -> None:
    script = "\n1\n" * 8 + "q\n"
    now = START
    result = None
    for _ in range(8):
        result = cli(
            "--decks",
            str(demo_decks),
            "study",
            "--tag",
            "alpha",
            "--new",
            "1",
            input="\n1\nq\n",
            now=now.isoformat(),
        )
        now += timedelta(minutes=30)
    assert result is not None and "is a leech" in result.out
    assert rows(isolated, "select suspended, leech from cards where id='demo-one'") == [(1, 1)]
    again = cli("--decks", str(demo_decks), "study", "--deck", "demo", "--new", "0", input=script, now=now.isoformat())
    assert "Question one" not in again.out
    assert cli("--decks", str(demo_decks), "decks", "unsuspend", "demo-one").code == 0
    assert rows(isolated, "select suspended, leech from cards where id='demo-one'") == [(0, 0)]


def test_suspend_key(cli, isolated: Path, demo_decks: Path) -> None:
    cli("--decks", str(demo_decks), "study", "--deck", "demo", input="\ns\nq\n")
    assert rows(isolated, "select suspended from cards where id='demo-one'") == [(1,)]


def test_edited_card_keeps_history_and_removed_card_is_hidden(cli, isolated: Path, demo_decks: Path) -> None:
    cli("--decks", str(demo_decks), "study", "--deck", "demo", input="\n3\n\n3\nq\n")
    (hash_before,) = rows(isolated, "select content_hash from cards where id='demo-one'")[0]
    edited = DEMO_DECK.replace("Answer one", "Answer one rewritten")
    edited = edited[: edited.index("  - id: demo-two")] + edited[edited.index("  - id: demo-three") :]
    (demo_decks / "demo.yaml").write_text(edited, encoding="utf-8")
    result = cli("--decks", str(demo_decks), "decks")
    assert result.code == 0
    assert rows(
        isolated,
        "select content_hash != ?, hidden from cards where id='demo-one'".replace("?", f"'{hash_before}'"),
    ) == [(1, 0)]
    assert rows(isolated, "select hidden from cards where id='demo-two'") == [(1,)]
    assert rows(isolated, "select card_id from review_log order by id") == [("demo-one",), ("demo-two",)]
    assert state_of(isolated, "demo-one") is not None
    # putting it back brings it back with its state
    (demo_decks / "demo.yaml").write_text(DEMO_DECK, encoding="utf-8")
    cli("--decks", str(demo_decks), "decks")
    assert rows(isolated, "select hidden from cards where id='demo-two'") == [(0,)]


def test_cram_leaves_schedule_untouched(cli, isolated: Path, demo_decks: Path) -> None:
    cli("--decks", str(demo_decks), "study", "--deck", "demo", input="\n4\nq\n")
    before = state_of(isolated, "demo-one")
    result = cli("--decks", str(demo_decks), "study", "--cram", "--deck", "demo", input="\n1\nq\n")
    assert result.code == 0 and "cram" in result.out
    assert state_of(isolated, "demo-one") == before
    assert rows(isolated, "select kind, rating from review_log order by id") == [("new", 4), ("cram", 1)]


def test_persistence_across_processes(isolated: Path, demo_decks: Path) -> None:
    env = {**os.environ, "LLMPREP_DECKS": str(demo_decks)}
    script = [sys.executable, "-m", "llmprep", "study", "--deck", "demo", "--lang", "en"]
    first = subprocess.run(script, input="\n3\nq\n", text=True, capture_output=True, env=env, timeout=60)
    assert first.returncode == 0, first.stderr
    second = subprocess.run(script, input="\n3\nq\n", text=True, capture_output=True, env=env, timeout=60)
    assert "Question two" in second.stdout and "Question one" not in second.stdout
    assert rows(isolated, "select card_id from review_log order by id") == [("demo-one",), ("demo-two",)]


def test_eof_quits_and_keeps_ratings(cli, isolated: Path, demo_decks: Path) -> None:
    result = cli("--decks", str(demo_decks), "study", "--deck", "demo", input="\n3\n")
    assert result.code == 0
    assert rows(isolated, "select count(*) from review_log") == [(1,)]


def test_review_times_are_epoch_milliseconds_utc(cli, isolated: Path, demo_decks: Path) -> None:
    now = "2026-03-01T09:30:15.123456+08:00"
    cli("--decks", str(demo_decks), "study", "--deck", "demo", input="\n3\nq\n", now=now)
    ((reviewed_at, last_review),) = rows(
        isolated, "select l.reviewed_at, s.last_review from review_log l join card_state s on s.card_id = l.card_id"
    )
    assert reviewed_at == round(datetime.fromisoformat(now).timestamp() * 1000)  # to the millisecond
    assert last_review == "2026-03-01 01:30:15.123456"  # the card's state keeps naive UTC text
