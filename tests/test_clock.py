"""The clock going back: future-dated reviews are not today's, and the logged interval is never negative."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from llmprep import config, scheduler, store
from tests.conftest import numbered_deck


def test_after_the_clock_goes_back_today_is_bounded(cli, isolated: Path, tmp_path: Path) -> None:
    decks = ("--decks", str(numbered_deck(tmp_path / "decks", "c", 8)))
    (isolated / "config.toml").write_text("fuzz = false\nnew_per_day = 3\n")
    # three new cards studied with the clock set two days ahead, then the clock is right again
    ahead = cli(*decks, "study", "--deck", "c", input="\n3\n" * 3 + "q\n", now="2026-01-07T09:00:00+00:00")
    assert ahead.out.count("recorded ") == 3
    report = json.loads(cli(*decks, "stats", "--json", now="2026-01-05T09:00:00+00:00").out)
    assert report["today"]["reviewed"] == 0  # not 3: those rows are dated two days ahead
    studied = cli(*decks, "study", "--deck", "c", input="\n3\n" * 3 + "q\n", now="2026-01-05T09:00:00+00:00")
    assert studied.out.count("recorded ") == 3  # today's new-card quota (3) was not used up by them


def test_a_clock_that_went_back_logs_the_interval_from_the_state(isolated: Path) -> None:
    engine = store.open_engine(isolated / "llmprep.sqlite3")
    with Session(engine) as session, session.begin():
        session.add(
            store.CardRow(
                id="x", deck="d", kind="qa", position=0, content_hash="h", added_at=datetime(2026, 1, 1).astimezone()
            )
        )
    reviewer = scheduler.Reviewer(engine, config.Config(fuzz=False))
    later = datetime.fromisoformat("2026-01-07T09:00:00+00:00")
    reviewer.rate("x", reviewer.outcomes("x", later)[3], later, 1000)
    earlier = later - timedelta(days=2)  # the clock went back
    reviewer.rate("x", reviewer.outcomes("x", earlier)[3], earlier, 1000)
    with Session(engine) as session:
        logged = session.execute(
            select(store.ReviewLog.reviewed_at, store.ReviewLog.scheduled_days).order_by(store.ReviewLog.id)
        ).all()
        state = session.get(store.CardState, "x")
    # the interval the card was due after comes from its state, never from the clock: not negative
    assert [at for at, _ in logged] == [later, earlier] and logged[0][1] is None and logged[1][1] > 0
    assert state is not None and state.last_review == earlier
