"""Recording graded attempts and turning them into scheduler ratings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fsrs import Rating
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from llmprep import scheduler
from llmprep.config import Config
from llmprep.store import Attempt, ReviewLog


def rating_for(engine: Engine, card_id: str, passed: bool, gave_up: bool, hints_used: int = 0) -> int | None:
    """First-try pass -> Good, pass after failures or with hints -> Hard, give up -> Again; a plain failure
    rates nothing yet. "First try" counts the attempts since the card's last rating.
    """
    if gave_up:
        return int(Rating.Again)
    if not passed:
        return None
    if hints_used:
        return int(Rating.Hard)
    with Session(engine) as session:
        last_rated = session.scalar(select(func.max(ReviewLog.reviewed_at)).where(ReviewLog.card_id == card_id))
        failed = select(func.count()).where(Attempt.card_id == card_id, Attempt.passed.is_(False))
        if last_rated is not None:
            failed = failed.where(Attempt.attempted_at > last_rated)
        failures = session.scalar(failed) or 0
    return int(Rating.Hard) if failures else int(Rating.Good)


STORED_SOURCE_CHARS = 64 * 1024  # a whiteboard answer is a few KB; a pasted 50 MB file must not grow the database


def _capped(source: str) -> str:
    if len(source) <= STORED_SOURCE_CHARS:
        return source
    return source[:STORED_SOURCE_CHARS] + f"\n# ... {len(source) - STORED_SOURCE_CHARS} more characters not stored\n"


def record(
    engine: Engine,
    config: Config,
    card_id: str,
    verdict: dict[str, Any],
    source: str,
    now: datetime,
    *,
    hints_used: int = 0,
    session_s: float | None = None,
) -> int | None:
    """Store the attempt, then rate the card when the attempt decides it. Returns the rating given, if any."""
    rating = rating_for(engine, card_id, verdict["passed"], gave_up=False, hints_used=hints_used)
    with Session(engine) as session, session.begin():
        session.add(
            Attempt(
                card_id=card_id,
                attempted_at=now,
                device=verdict["device"],
                passed=verdict["passed"],
                gave_up=False,
                duration_s=verdict["duration_s"],
                seed=verdict.get("seed"),
                checks=verdict["checks"],
                source=_capped(source),
                hints_used=hints_used,
                session_s=session_s,
            )
        )
    if rating is not None:
        _rate(engine, config, card_id, rating, now, int(verdict["duration_s"] * 1000))
    return rating


def give_up(engine: Engine, config: Config, card_id: str, now: datetime) -> int:
    """Mark the latest attempt as given up and rate the card Again."""
    with Session(engine) as session, session.begin():
        latest = session.scalar(select(Attempt).where(Attempt.card_id == card_id).order_by(Attempt.id.desc()))
        if latest is not None:
            latest.gave_up = True
    _rate(engine, config, card_id, int(Rating.Again), now, None)
    return int(Rating.Again)


def _rate(engine: Engine, config: Config, card_id: str, rating: int, now: datetime, duration_ms: int | None) -> None:
    reviewer = scheduler.Reviewer(engine, config)
    reviewer.rate(card_id, reviewer.outcomes(card_id, now)[rating], now, duration_ms)
