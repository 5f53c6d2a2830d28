"""Processes for the tests: what is running on the machine (read from /proc: grading leaves nothing behind), llmprep
started as a user would start it, and the check that concurrent sessions lost no update."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fsrs import Card, Rating, Scheduler


def live_processes() -> dict[int, tuple[int, int, str]]:
    """pid -> (parent pid, session id, PID namespace) of every live process (zombies are already dead)."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            if fields[0] != "Z":
                table[int(entry.name)] = (int(fields[1]), int(fields[3]), os.readlink(f"/proc/{entry.name}/ns/pid"))
        except (OSError, ValueError):
            continue
    return table


def start_llmprep(
    home: Path, decks: Path, args: list[str], stdin: str, now: str, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """`llmprep --decks DECKS ARGS` with its own home and a pinned clock, its whole input written up front."""
    environment = {**os.environ, "LLMPREP_HOME": str(home), "LLMPREP_NOW": now, "NO_COLOR": "1", "TZ": "UTC"}
    process = subprocess.Popen(
        [sys.executable, "-m", "llmprep", "--decks", str(decks), *args],
        env={**environment, **(env or {})},
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


def assert_log_replays(log: Iterable[tuple[Any, ...]], states: Iterable[tuple[Any, ...]]) -> None:
    """Replay each card's log (card_id, rating, reviewed_at ms, scheduled_days; in id order) through FSRS from new:
    every row's interval is the one the replay had reached, and the replay ends in the stored state (card_id, state,
    step, stability, due). A rating computed from a state another session had replaced (a lost update) breaks
    both."""
    scheduler = Scheduler(enable_fuzzing=False)
    stored = {row[0]: row[1:] for row in states}
    replayed: dict[str, Card] = {}
    for card_id, rating, at, scheduled in log:
        when = datetime.fromtimestamp(at / 1000, UTC)
        card = replayed.get(card_id, Card(card_id=0, due=when))
        interval = None if card.last_review is None else (card.due - card.last_review).total_seconds() / 86400
        assert scheduled == pytest.approx(interval), f"{card_id}: rated from a state another session had replaced"
        replayed[card_id], _ = scheduler.review_card(card, Rating(rating), review_datetime=when)
    assert replayed.keys() == stored.keys()
    for card_id, card in replayed.items():
        state, step, stability, due = stored[card_id]
        due = due if isinstance(due, datetime) else datetime.fromisoformat(due)  # SQLite keeps text
        assert (state, step) == (card.state.value, card.step), card_id
        assert stability == pytest.approx(card.stability) and due == card.due.replace(tzinfo=None)


LOG_SQL = "SELECT card_id, rating, reviewed_at, scheduled_days FROM review_log ORDER BY id"
STATES_SQL = "SELECT card_id, state, step, stability, due FROM card_state"
