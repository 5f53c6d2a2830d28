"""Shared helpers for the benchmarks: timing commands, baselines, and a large synthetic history."""

from __future__ import annotations

import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

STACK = "import typer, rich.markdown, sqlalchemy.orm, yaml, fsrs"


def median_seconds(run: Callable[[], None], repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def command(args: list[str], env: dict[str, str] | None = None, stdin: str = "") -> Callable[[], None]:
    def run() -> None:
        subprocess.run(args, input=stdin, text=True, capture_output=True, env=env, check=True)

    return run


def baselines(repeat: int = 7) -> dict[str, float]:
    return {
        "python -c pass": median_seconds(command([sys.executable, "-c", "pass"]), repeat),
        "dependency stack import": median_seconds(command([sys.executable, "-c", STACK]), repeat),
    }


def build_history(home: Path, decks: Path, cards: int = 10_000, reviews: int = 1_000_000, seed: int = 0) -> None:
    """A deck of `cards` cards and a database with `reviews` review-log rows spread over two years."""
    rng = random.Random(seed)
    decks.mkdir(parents=True, exist_ok=True)
    per_deck = cards // 10
    for d in range(10):
        lines = [f"deck: bench{d}", "title: {zh: 基准, en: Benchmark}", "cards:"]
        for i in range(per_deck):
            lines += [
                f"  - id: bench{d}-{i}",
                f"    tags: [t{i % 20}]",
                f"    q: {{zh: 问题 {i}, en: Question {i}}}",
                f"    a: {{zh: 答案 {i}, en: Answer {i}}}",
            ]
        (decks / f"bench{d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {**os.environ, "LLMPREP_HOME": str(home), "LLMPREP_DECKS": str(decks)}
    subprocess.run([sys.executable, "-m", "llmprep", "decks"], env=env, check=True, capture_output=True)
    ids = [f"bench{d}-{i}" for d in range(10) for i in range(per_deck)]
    now = datetime.now(UTC).replace(tzinfo=None)
    conn = sqlite3.connect(home / "llmprep.sqlite3")
    state = json.dumps(
        {
            "state": 2,
            "step": None,
            "stability": 10.0,
            "difficulty": 5.0,
            "due": now.isoformat() + "+00:00",
            "last_review": now.isoformat() + "+00:00",
        }
    )
    batch = []
    for _n in range(reviews):
        when = now - timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
        batch.append(
            (
                rng.choice(ids),
                rng.choice((1, 2, 3, 3, 3, 4)),
                when.isoformat(sep=" "),
                8000,
                "review",
                5.0,
                6.0,
                state,
                state,
            )
        )
        if len(batch) == 50_000:
            conn.executemany(
                "insert into review_log (card_id, rating, reviewed_at, duration_ms, kind, scheduled_days,"
                " elapsed_days, state_before, state_after) values (?,?,?,?,?,?,?,?,?)",
                batch,
            )
            batch = []
    conn.executemany(
        "insert into card_state (card_id, state, step, stability, difficulty, due, last_review) values (?,?,?,?,?,?,?)",
        [
            (
                cid,
                2,
                None,
                rng.uniform(1, 200),
                rng.uniform(1, 10),
                (now + timedelta(days=rng.uniform(-5, 60))).isoformat(sep=" "),
                (now - timedelta(days=rng.uniform(1, 60))).isoformat(sep=" "),
            )
            for cid in ids[: cards * 8 // 10]
        ],
    )
    conn.commit()
    conn.close()


def report(title: str, figures: dict[str, float], floor_name: str, goal: float | None = None) -> None:
    print(f"\n{title}")
    floor = figures[floor_name]
    base = figures["python -c pass"]
    for name, seconds in figures.items():
        print(
            f"  {name:44} {seconds * 1000:8.0f} ms   {seconds / base:5.1f}x pass   {seconds / floor:5.2f}x {floor_name}"
        )
    if goal is not None:
        print(f"  goal: <= {goal}x {floor_name}")
