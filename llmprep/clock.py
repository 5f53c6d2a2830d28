"""The one place that knows what time it is and how times are stored.

All times inside llmprep are timezone-aware UTC datetimes (the fsrs package rejects anything else).
`LLMPREP_NOW` (ISO 8601) pins the clock, so tests and scripted sessions can simulate days passing.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta


def now() -> datetime:
    pinned = os.environ.get("LLMPREP_NOW")
    if pinned:
        return as_utc(datetime.fromisoformat(pinned))
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """Naive datetimes (as SQLite returns them) are UTC by convention; aware ones are converted."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def local_day(moment: datetime, day_starts_at: int) -> date:
    """The study day a moment belongs to: local time, with the day rolling over at `day_starts_at` h."""
    return (moment.astimezone() - timedelta(hours=day_starts_at)).date()


def day_start(day: date, day_starts_at: int) -> datetime:
    """UTC instant at which a local study day begins."""
    local = datetime.combine(day, time(hour=day_starts_at)).astimezone()
    return local.astimezone(UTC)
