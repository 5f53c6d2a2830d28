"""The synthetic history as an Anki collection (Anki's own library, `anki`, with its Rust backend), and the
commands that do Anki's share of each figure.

Notes (Basic) are added through the library; the review log and the cards' scheduling (review queue, due day,
interval, FSRS memory state in `cards.data`) are written in bulk with `col.db.executemany` in one transaction.
FSRS is switched on (config key "fsrs"). The collection's creation day (`crt`) is set before the history
starts, so that Anki's day numbers (`col.sched.today`) cover it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from _history import DAY_MS, DECKS, FinalState, Review, Spec, reviews

BATCH = 50_000
REVLOG_TYPE = {"new": 0, "learning": 0, "review": 1, "relearning": 2, "cram": 3}
LEARNING_IVL = -600  # revlog.ivl of a learning step: negative seconds

FIRST_CARD = """
import sys
from anki.collection import Collection
col = Collection(sys.argv[1])
card = col.sched.getCard()
assert card is not None, "no card due"
card.question()
col.close()
"""

STATS = """
import sys
from anki.collection import Collection
col = Collection(sys.argv[1])
col._backend.graphs(search="", days=365)
col.studied_today()
col.close()
"""


def available() -> str | None:
    """None when Anki's library imports; else why not, on one line."""
    try:
        import anki.collection  # noqa: F401
    except ImportError as exc:
        return f"anki is not importable ({exc}); Anki rows skipped (pip install -e '.[bench]')"
    return None


def version() -> str:
    from anki.buildinfo import version as anki_version

    return anki_version


def first_card_args(path: Path) -> list[str]:
    return [sys.executable, "-c", FIRST_CARD, str(path)]


def stats_args(path: Path) -> list[str]:
    return [sys.executable, "-c", STATS, str(path)]


def _add_notes(col: Any, cards: int) -> list[int]:
    """One Basic note per card, card i in deck bench::bench{i // per_deck}; returns the card ids in card order.
    The parent deck `bench` is selected, as llmprep's study takes every deck."""
    from anki.collection import AddNoteRequest

    basic = col.models.by_name("Basic")
    per_deck = cards // DECKS
    requests = []
    for card in range(cards):
        note = col.new_note(basic)
        note["Front"] = f"Question {card % per_deck}"
        note["Back"] = f"Answer {card % per_deck}"
        requests.append(AddNoteRequest(note=note, deck_id=col.decks.id(f"bench::bench{card // per_deck}")))
    col.add_notes(requests)
    col.decks.select(col.decks.id("bench"))
    by_note = dict(col.db.all("select nid, id from cards"))
    return [by_note[request.note.id] for request in requests]


def _revlog_rows(spec: Spec, card_ids: list[int], final: list[FinalState]) -> Iterator[list[Any]]:
    for r in reviews(spec, final):
        yield _revlog_row(r, card_ids[r.card])


def _revlog_row(r: Review, cid: int) -> list[Any]:
    learning = r.rating == 1 or (r.rating == 2 and r.kind in ("new", "learning"))
    return [
        r.at_ms,
        cid,
        0,
        r.rating,
        LEARNING_IVL if learning else r.interval_days,
        round(r.scheduled_days or 0),
        round(r.difficulty * 100),
        min(r.duration_ms, 60_000),
        REVLOG_TYPE[r.kind],
    ]


def _card_rows(spec: Spec, today: int, card_ids: list[int], final: list[FinalState]) -> list[list[Any]]:
    rows = []
    for cid, f in zip(card_ids, final, strict=True):
        due_day = today + max(0, (f.due_ms - spec.now_ms) // DAY_MS)
        data = json.dumps({"s": round(f.stability, 4), "d": round(f.difficulty, 4), "lrt": f.last_review_ms // 1000})
        rows.append([due_day, f.interval_days, f.reps, f.lapses, data, round(f.difficulty * 100), cid])
    return rows


def _load_history(col: Any, spec: Spec, card_ids: list[int]) -> None:
    final: list[FinalState] = []

    def insert() -> None:
        batch: list[list[Any]] = []
        for row in _revlog_rows(spec, card_ids, final):
            batch.append(row)
            if len(batch) == BATCH:
                col.db.executemany("insert into revlog values (?,?,?,?,?,?,?,?,?)", batch)
                batch = []
        col.db.executemany("insert into revlog values (?,?,?,?,?,?,?,?,?)", batch)
        col.db.executemany(
            "update cards set type = 2, queue = 2, due = ?, ivl = ?, reps = ?, lapses = ?, data = ?, factor = ?,"
            " left = 0, usn = 0 where id = ?",
            _card_rows(spec, col.sched.today, card_ids, final),
        )

    col.db.transact(insert)


def build(path: Path, spec: Spec) -> Path:
    """A collection at `path` holding the whole history; checked by asking for a card and the graphs."""
    from anki.collection import Collection

    path.parent.mkdir(parents=True, exist_ok=True)
    col = Collection(str(path))
    col.db.execute("update col set crt = ?", spec.now_ms // 1000 - 800 * 86_400)
    col.close()
    col = Collection(str(path))  # reopened: the backend reads the new creation day
    try:
        col.set_config("fsrs", True)
        card_ids = _add_notes(col, spec.cards)
        _load_history(col, spec, card_ids)
    finally:
        col.close()
    check(path)
    return path


def check(path: Path) -> None:
    from anki.collection import Collection

    col = Collection(str(path))
    try:
        if col.sched.getCard() is None:
            raise RuntimeError(f"{path}: Anki shows no card due")
        if not col._backend.graphs(search="", days=365).reviews.count:
            raise RuntimeError(f"{path}: Anki's graphs count no reviews")
    finally:
        col.close()


def collection_bytes(path: Path) -> int:
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
