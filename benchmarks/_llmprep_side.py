"""The synthetic history as an llmprep home: deck YAML files, the database made by `llmprep decks`, then the
review log and card states written with sqlite3.

The review log's layout is read from the file (`PRAGMA table_info`), so this fills schema v3 (reviewed_at as
text, state_before/state_after JSON, elapsed_days) and schema v4 (reviewed_at in epoch milliseconds, neither of
those columns) alike; `store.rebuild_review_slots` is called where it exists.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from _history import DAY_MS, DECKS, FinalState, Review, Spec, card_name, reviews

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "llmprep.sqlite3"
BATCH = 50_000


def env_for(home: Path, decks: Path) -> dict[str, str]:
    return {
        **os.environ,
        "LLMPREP_HOME": str(home),
        "LLMPREP_DECKS": str(decks),
        "NO_COLOR": "1",
        "PYTHONPATH": str(ROOT),
    }


def write_decks(decks: Path, cards: int) -> None:
    decks.mkdir(parents=True, exist_ok=True)
    per_deck = cards // DECKS
    for d in range(DECKS):
        lines = [f"deck: bench{d}", "title: {zh: 基准, en: Benchmark}", "cards:"]
        for i in range(per_deck):
            lines += [
                f"  - id: bench{d}-{i}",
                f"    tags: [t{i % 20}]",
                f"    q: {{zh: 问题 {i}, en: Question {i}}}",
                f"    a: {{zh: 答案 {i}, en: Answer {i}}}",
            ]
        (decks / f"bench{d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _text_time(ms: int) -> str:
    """llmprep's stored time: naive UTC 'YYYY-MM-DD HH:MM:SS.ffffff'."""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat()


def _state_json(r: Review) -> str:
    """fsrs.Card.to_dict() without card_id, as llmprep logs it (schema v3)."""
    state = 2 if r.kind != "new" or r.rating >= 3 else 1
    return (
        f'{{"state": {state}, "step": null, "stability": {r.stability}, "difficulty": {r.difficulty}, '
        f'"due": "{_iso(r.at_ms + r.interval_days * DAY_MS)}", "last_review": "{_iso(r.at_ms)}"}}'
    )


def _v3_rows(spec: Spec, names: list[str], final: list[FinalState]) -> Iterator[tuple[object, ...]]:
    previous: dict[int, str] = {}
    for r in reviews(spec, final):
        after = _state_json(r)
        yield (
            names[r.card],
            r.rating,
            _text_time(r.at_ms),
            r.duration_ms,
            r.kind,
            r.scheduled_days,
            r.elapsed_days,
            previous.get(r.card),
            after,
        )
        previous[r.card] = after


def _v4_rows(spec: Spec, names: list[str], final: list[FinalState]) -> Iterator[tuple[object, ...]]:
    for r in reviews(spec, final):
        yield (names[r.card], r.rating, r.at_ms, r.duration_ms, r.kind, r.scheduled_days)


V3_INSERT = (
    "insert into review_log (card_id, rating, reviewed_at, duration_ms, kind, scheduled_days, elapsed_days,"
    " state_before, state_after) values (?,?,?,?,?,?,?,?,?)"
)
V4_INSERT = (
    "insert into review_log (card_id, rating, reviewed_at, duration_ms, kind, scheduled_days) values (?,?,?,?,?,?)"
)


def _insert_batches(conn: sqlite3.Connection, sql: str, rows: Iterable[tuple[object, ...]]) -> None:
    batch: list[tuple[object, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            conn.executemany(sql, batch)
            batch = []
    conn.executemany(sql, batch)


def _card_states(names: list[str], final: list[FinalState]) -> list[tuple[object, ...]]:
    return [
        (name, 2, None, f.stability, f.difficulty, _text_time(f.due_ms), _text_time(f.last_review_ms))
        for name, f in zip(names, final, strict=True)
    ]


def _rebuild_aggregates(db: Path) -> None:
    """Schema v4 keeps aggregates of the review log; rebuild them after the bulk insert, where that exists."""
    from llmprep import store

    rebuild = getattr(store, "rebuild_review_slots", None)
    if rebuild is None:
        return
    engine = store.open_engine(db)
    with engine.begin() as conn:
        rebuild(conn)
    store.record_clean()


def build(home: Path, decks: Path, spec: Spec) -> Path:
    """Decks and a database holding the whole history; returns the database's path."""
    write_decks(decks, spec.cards)
    subprocess.run(
        [sys.executable, "-m", "llmprep", "decks"], env=env_for(home, decks), check=True, capture_output=True
    )
    db = home / DB_NAME
    names = [card_name(c, spec.cards) for c in range(spec.cards)]
    final: list[FinalState] = []
    with sqlite3.connect(db) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(review_log)")}
        if "state_before" in columns:
            _insert_batches(conn, V3_INSERT, _v3_rows(spec, names, final))
        else:
            _insert_batches(conn, V4_INSERT, _v4_rows(spec, names, final))
        conn.executemany(
            "insert or replace into card_state (card_id, state, step, stability, difficulty, due, last_review)"
            " values (?,?,?,?,?,?,?)",
            _card_states(names, final),
        )
    conn.close()
    _rebuild_aggregates(db)
    return db


def database_bytes(db: Path) -> int:
    """The file's size with its write-ahead log folded in (a TRUNCATE checkpoint)."""
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    wal = db.with_name(db.name + "-wal")
    return db.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
