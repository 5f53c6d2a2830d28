"""Typed answers: which of a card's points an answer makes, the rating that suggests, and their record over time.

The suggestion: every point made -> Good (Easy when the answer also came fast: in under a third of the card's
soft budget, i.e. under 60 s for a concept card's 3 minutes); at least half -> Hard; fewer -> Again. A card
without points gets no suggestion: the user rates as in the plain drill.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, exists, func, literal_column, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from llmprep import points
from llmprep.decks import Card
from llmprep.scheduler import Filters, TypedAnswer
from llmprep.store import AnswerRow, CardRow, CardTag, ReviewLog

CONCEPT_BUDGET_S = 180.0  # soft budget of one concept question (3 minutes)
FAST_FRACTION = 1 / 3  # an answer in under this share of its budget is "fast"
PERIODS = {"week": 7, "month": 30}  # the `typed` section's recent windows, in days


@dataclass(frozen=True)
class Checked:
    """One typed answer held against its card's points."""

    text: str
    hits: tuple[bool, ...]  # per point of the card, in the card's order
    seconds: float | None
    suggested: int | None  # 1-4, None when the card has no points

    @property
    def points_hit(self) -> int:
        return sum(self.hits)

    @property
    def coverage(self) -> float | None:
        return self.points_hit / len(self.hits) if self.hits else None

    def stored(self) -> TypedAnswer:
        return TypedAnswer(self.text, self.points_hit, len(self.hits), self.seconds)


def suggest_rating(
    hits: list[bool] | tuple[bool, ...], seconds: float | None, budget_s: float = CONCEPT_BUDGET_S
) -> int | None:
    """Again 1, Hard 2, Good 3, Easy 4 from the points made (and the time, for Easy); None without points."""
    if not hits:
        return None
    made = sum(hits)
    if made == len(hits):
        fast = seconds is not None and seconds < budget_s * FAST_FRACTION
        return 4 if fast else 3
    return 2 if 2 * made >= len(hits) else 1


def check(card: Card, text: str, seconds: float | None, budget_s: float = CONCEPT_BUDGET_S) -> Checked:
    hits = tuple(points.coverage(card.points, text)) if card.points else ()
    return Checked(text, hits, seconds, suggest_rating(hits, seconds, budget_s))


def summary(engine: Engine, filters: Filters, now: datetime) -> dict[str, Any]:
    """The `typed` section of `stats --json`: answers typed, and their mean coverage overall and recently.

    Portable SQL (period starts are computed here, not with SQLite date functions). Coverage is averaged over
    answers to cards with points."""
    coverage = case((AnswerRow.points_total > 0, 1.0 * AnswerRow.points_hit / AnswerRow.points_total))
    scoped = func.count()
    columns: list[Any] = [scoped, func.avg(coverage)]
    for days in PERIODS.values():
        recent = ReviewLog.reviewed_at >= now - timedelta(days=days)
        columns += [func.count().filter(recent), func.avg(case((recent, coverage)))]
    # `+` keeps the answers (few) the outer loop: SQLite would otherwise walk the whole review log (no ANALYZE)
    joined = ReviewLog.id == literal_column("+answers.review_log_id")
    query = select(*columns).select_from(AnswerRow).join(ReviewLog, joined)
    if filters.decks or filters.tags:
        query = query.join(CardRow, CardRow.id == ReviewLog.card_id)
        if filters.decks:
            query = query.where(CardRow.deck.in_(filters.decks))
        if filters.tags:
            query = query.where(exists().where(CardTag.card_id == CardRow.id, CardTag.tag.in_(filters.tags)))
    with Session(engine) as session:
        row = session.execute(query).one()
    section: dict[str, Any] = {"answers": row[0], "mean_coverage": _round(row[1])}
    for i, name in enumerate(PERIODS):
        section[name] = {"answers": row[2 + 2 * i], "mean_coverage": _round(row[3 + 2 * i])}
    return section


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)
