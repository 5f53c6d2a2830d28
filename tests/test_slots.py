"""review_slots, the running sums stats read instead of the log: after any sequence of ratings, undos, cram and
suspensions they equal a rebuild from the log, and the v3 -> v4 migration keeps every review."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from llmprep import config, scheduler, stats, store
from tests.conftest import as_schema_v3

START = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)
CARDS = [f"{deck}-{i}" for deck in ("alpha", "beta") for i in range(6)]


def _slots(engine) -> list[tuple]:
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT * FROM review_slots ORDER BY slot, kind").all()


def _engine_with_cards(path: Path):
    engine = store.open_engine(path)
    with Session(engine) as session, session.begin():
        for position, card_id in enumerate(CARDS):
            session.add(
                store.CardRow(
                    id=card_id,
                    deck=card_id.split("-")[0],
                    kind="qa",
                    position=position,
                    content_hash="h",
                    added_at=START,
                )
            )
    return engine


@pytest.mark.parametrize("seed", range(6))
def test_running_sums_equal_a_rebuild_after_random_work(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    engine = _engine_with_cards(tmp_path / "db.sqlite3")
    cfg = config.Config(fuzz=False)
    reviewer = scheduler.Reviewer(engine, cfg)
    now, done = START, []
    for _ in range(120):
        now += timedelta(minutes=rng.choice((0.2, 1, 7, 14, 15, 60 * 5, 60 * 30)))  # within and across slots
        card_id = rng.choice(CARDS)
        op = rng.random()
        if op < 0.55:
            done.append(reviewer.rate(card_id, reviewer.outcomes(card_id, now)[rng.randint(1, 4)], now, 4000))
        elif op < 0.7:
            done.append(reviewer.log_cram(card_id, rng.randint(1, 4), now, 2500))
        elif op < 0.85 and done:
            reviewer.undo(done.pop(rng.randrange(len(done))) if rng.random() < 0.3 else done.pop())
        elif op < 0.92:
            reviewer.undo_action(reviewer.suspend(card_id))
        else:
            reviewer.suspend(card_id)
    kept = _slots(engine)
    report = stats.collect(engine, cfg, scheduler.Filters(), now)
    # the same numbers from the log itself: summed through a deck filter that covers every deck...
    every_deck = stats.collect(engine, cfg, scheduler.Filters(decks=("alpha", "beta")), now)
    for key in ("reviews", "today", "streak", "heatmap", "retention"):
        assert every_deck[key] == report[key], key
    # ...and after rebuilding the sums from the log
    with engine.begin() as conn:
        store.rebuild_review_slots(conn)
    assert _slots(engine) == kept and kept
    assert stats.collect(engine, cfg, scheduler.Filters(), now) == report
    with Session(engine) as session:
        assert report["reviews"] == session.scalar(
            select(func.count()).select_from(store.ReviewLog).where(store.ReviewLog.kind != "cram")
        )


def test_undo_takes_a_rating_out_of_its_slot_and_restores_the_state(tmp_path: Path) -> None:
    engine = _engine_with_cards(tmp_path / "db.sqlite3")
    reviewer = scheduler.Reviewer(engine, config.Config(fuzz=False))
    reviewer.rate("alpha-0", reviewer.outcomes("alpha-0", START)[3], START, 1000)
    with Session(engine) as session:
        before = scheduler.state_key(session.get(store.CardState, "alpha-0"))
    later = START + timedelta(days=3)
    recorded = reviewer.rate("alpha-0", reviewer.outcomes("alpha-0", later)[1], later, 1000)
    assert [(kind, n, again) for _, kind, n, again, *_ in _slots(engine)] == [("new", 1, 0), ("learning", 1, 1)]
    reviewer.undo(recorded)
    assert [(kind, n) for _, kind, n, *_ in _slots(engine)] == [("new", 1)]
    with Session(engine) as session:
        assert scheduler.state_key(session.get(store.CardState, "alpha-0")) == before


def test_migration_from_v3_keeps_every_review(cli, isolated: Path, demo_decks: Path) -> None:
    args = ("--decks", str(demo_decks), "study", "--deck", "demo")
    cli(*args, "--new", "3", input="\n3\n\n1\n\n4\nq\n", now="2026-02-01T09:00:00.123456+00:00")
    cli(*args, "--new", "0", input="\n3\n" * 3 + "q\n", now="2026-02-03T10:00:00+00:00")
    cli(*args, "--cram", input="\n1\nq\n", now="2026-02-03T11:00:00+00:00")
    db = isolated / "llmprep.sqlite3"
    when = "2026-02-03T20:00:00+00:00"
    report = json.loads(cli("--decks", str(demo_decks), "stats", "--json", now=when).out)
    with sqlite3.connect(db) as conn:
        logged = conn.execute("SELECT * FROM review_log ORDER BY id").fetchall()
        as_schema_v3(conn)
    assert len(logged) == 7
    migrated = cli("--decks", str(demo_decks), "stats", "--json", now=when)
    assert migrated.code == 0, migrated.err
    assert json.loads(migrated.out) == report
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (store.SCHEMA_VERSION,)
        assert conn.execute("SELECT * FROM review_log ORDER BY id").fetchall() == logged
        columns = [row[1] for row in conn.execute("PRAGMA table_info(review_log)")]
    assert "state_before" not in columns and "reviewed_at" in columns
    (backup,) = (isolated / "backups").glob("llmprep.v3.*.sqlite3")
    with sqlite3.connect(backup) as conn:
        assert conn.execute("SELECT count(*) FROM review_log WHERE state_after IS NOT NULL").fetchone() == (7,)
