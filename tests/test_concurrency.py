"""Several llmprep processes on one database at once: two studies and one grading, on a new and on an existing
database. No error line, every rating shown as recorded is in the log exactly once, and no rating was computed
from a state another process had already replaced (each card's log replays through FSRS to its stored state)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from tests.conftest import numbered_deck
from tests.processes import LOG_SQL, STATES_SQL, assert_log_replays, start_llmprep

pytestmark = pytest.mark.slow

REPETITIONS = 10


def _race(home: Path, decks: Path, broken: Path, now: str) -> int:
    """Two studies rating 4 cards each and one grading, started together; returns the ratings they recorded."""
    keys = "\n3\n" * 4 + "q\n"
    processes = [
        start_llmprep(home, decks, ["study", "--deck", "race"], keys, now),
        start_llmprep(home, decks, ["study", "--deck", "race"], keys, now),
        start_llmprep(home, decks, ["code", "mha", "--file", str(broken)], "", now),
    ]
    finished = [(process, *process.communicate(timeout=120)) for process in processes]  # every pipe read, closed
    recorded = 0
    for process, out, err in finished:
        assert process.returncode in (0, 1), err  # 1: the grading's verdict (the submission does not parse)
        assert "error:" not in err and "Traceback" not in err, err
        recorded += out.count("recorded ")
    return recorded


def _chains_unbroken(db: Path) -> None:
    with closing(sqlite3.connect(db)) as conn:
        assert_log_replays(conn.execute(LOG_SQL).fetchall(), conn.execute(STATES_SQL).fetchall())


def test_two_studies_and_a_grading_at_once_on_a_new_then_an_existing_database(tmp_path: Path) -> None:
    """Each repetition races on a new database, then again a day later on the one it made (cards due again)."""
    decks = numbered_deck(tmp_path / "decks", "race", 12)
    broken = tmp_path / "broken.py"
    broken.write_text("def oops(:\n")
    warm = tmp_path / "warm"  # parses the decks once: each fresh home starts with that cache, as a user's does
    warm.mkdir()
    start_llmprep(warm, decks, ["decks"], "", "2026-01-05T09:00:00+00:00").communicate(timeout=120)
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
