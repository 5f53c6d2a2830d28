"""Several llmprep processes on one database at once: two studies and one grading, on a new and on an existing
database. No error line, every rating shown as recorded is in the log exactly once, and no rating was computed
from a state another process had already replaced (each card's log replays through FSRS to its stored state)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fsrs import Card, Rating, Scheduler

from tests.conftest import numbered_deck

pytestmark = pytest.mark.slow

REPETITIONS = 10


def _start(home: Path, decks: Path, args: list[str], stdin: str, now: str) -> subprocess.Popen[str]:
    env = {**os.environ, "LLMPREP_HOME": str(home), "LLMPREP_NOW": now, "NO_COLOR": "1", "TZ": "UTC"}
    process = subprocess.Popen(
        [sys.executable, "-m", "llmprep", "--decks", str(decks), *args],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None
    process.stdin.write(stdin)
    process.stdin.close()
    process.stdin = None  # written in full up front: communicate() only collects the output
    return process


def _race(home: Path, decks: Path, broken: Path, now: str) -> int:
    """Two studies rating 4 cards each and one grading, started together; returns the ratings they recorded."""
    keys = "\n3\n" * 4 + "q\n"
    processes = [
        _start(home, decks, ["study", "--deck", "race"], keys, now),
        _start(home, decks, ["study", "--deck", "race"], keys, now),
        _start(home, decks, ["code", "mha", "--file", str(broken)], "", now),
    ]
    recorded = 0
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode in (0, 1), err  # 1: the grading's verdict (the submission does not parse)
        assert "error:" not in err and "Traceback" not in err, err
        recorded += out.count("recorded ")
    return recorded


def _chains_unbroken(db: Path) -> None:
    """Replay each card's log through FSRS from new: every row's interval is the one the replay had reached, and
    the replay ends in the stored state. A rating computed from a state another session had replaced (a lost
    update) breaks both."""
    scheduler = Scheduler(enable_fuzzing=False)
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute(
            "SELECT card_id, rating, reviewed_at, scheduled_days FROM review_log ORDER BY id"
        ).fetchall()
        stored = {
            row[0]: row[1:] for row in conn.execute("SELECT card_id, state, step, stability, due FROM card_state")
        }
    replayed: dict[str, Card] = {}
    for card_id, rating, at, scheduled in rows:
        when = datetime.fromtimestamp(at / 1000, UTC)
        card = replayed.get(card_id, Card(card_id=0, due=when))
        interval = None if card.last_review is None else (card.due - card.last_review).total_seconds() / 86400
        assert scheduled == pytest.approx(interval), f"{card_id}: rated from a state another session had replaced"
        replayed[card_id], _ = scheduler.review_card(card, Rating(rating), review_datetime=when)
    assert replayed.keys() == stored.keys()
    for card_id, card in replayed.items():
        state, step, stability, due = stored[card_id]
        assert (state, step) == (card.state.value, card.step), card_id
        assert stability == pytest.approx(card.stability) and datetime.fromisoformat(due) == card.due.replace(
            tzinfo=None
        )


def test_two_studies_and_a_grading_at_once_on_a_new_then_an_existing_database(tmp_path: Path) -> None:
    """Each repetition races on a new database, then again a day later on the one it made (cards due again)."""
    decks = numbered_deck(tmp_path / "decks", "race", 12)
    broken = tmp_path / "broken.py"
    broken.write_text("def oops(:\n")
    warm = tmp_path / "warm"  # parses the decks once: each fresh home starts with that cache, as a user's does
    warm.mkdir()
    _start(warm, decks, ["decks"], "", "2026-01-05T09:00:00+00:00").communicate(timeout=120)
    for repetition in range(REPETITIONS):
        home = tmp_path / f"home-{repetition}"
        home.mkdir()
        (home / "config.toml").write_text("fuzz = false\nnew_per_day = 50\n")
        (home / "deck-cache.json").write_bytes((warm / "deck-cache.json").read_bytes())
        db = home / "llmprep.sqlite3"
        expected = 0
        for day, attempts in (("2026-01-05", 1), ("2026-01-06", 2)):
            expected += _race(home, decks, broken, f"{day}T09:00:00+00:00")
            with closing(sqlite3.connect(db)) as conn:
                logged = conn.execute("SELECT count(*) FROM review_log").fetchone()[0]
                assert conn.execute("SELECT count(*) FROM attempts").fetchone()[0] == attempts
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert logged == expected and expected >= 8  # every rating shown as recorded is there, once
            _chains_unbroken(db)
