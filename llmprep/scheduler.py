"""Spaced repetition on top of the `fsrs` package: what to study next, and what a rating does.

Queue order (as in Anki): learning/relearning cards due now, then reviews due today, then new cards.
Each rating is one transaction: the card's new FSRS state and its review-log row commit together.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fsrs import Card as FsrsCard
from fsrs import Rating, State
from fsrs import Scheduler as FsrsScheduler
from sqlalchemy import and_, exists, func, not_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from llmprep import clock, store
from llmprep.config import Config
from llmprep.store import (
    CardRow,
    CardState,
    CardTag,
    ReviewLog,
    ReviewSlot,
    add_review,
    get_meta,
    remove_review,
    set_meta,
    set_suspended,
    slot_of,
    write_lock,
)

LEECH_LAPSES = 8  # Again this many times: the card is a leech and gets suspended
LEARN_AHEAD = timedelta(minutes=20)  # with nothing else to do, show learning steps due this soon
RATING_NAMES = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


@dataclass(frozen=True)
class Filters:
    decks: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass
class Outcome:
    """What one rating would do: shown as the button's interval, applied unchanged if chosen."""

    rating: int
    after: FsrsCard
    prior: tuple[Any, ...] | None = None  # the card's state it was computed from (None: a new card)

    def interval(self, now: datetime) -> timedelta:
        return self.after.due - now


@dataclass
class Recorded:
    log_id: int
    card_id: str
    rating: int
    leech: bool  # this rating made the card a leech (it is now suspended)
    before: FsrsCard | None = None  # the state it replaced (None: the card was new, or a cram rating)
    scheduled: bool = True  # False for a cram rating: the schedule was not touched


@dataclass(frozen=True)
class TypedAnswer:
    """What the user typed for a rating (study --type, interview), stored with its review-log row."""

    text: str
    points_hit: int
    points_total: int  # 0: the card has no points
    typed_s: float | None


@dataclass(frozen=True)
class Suspended:
    """A suspension done in the drill: undone by unsuspending."""

    card_id: str


@dataclass(frozen=True)
class Buried:
    """A card put away until the next study day: undone by unburying."""

    card_id: str


Action = Recorded | Suspended | Buried  # what `u` undoes, most recent first


@dataclass
class Limits:
    new_per_day: int
    reviews_per_day: int


def make_fsrs(config: Config) -> FsrsScheduler:
    kwargs: dict[str, Any] = {"desired_retention": config.desired_retention, "enable_fuzzing": config.fuzz}
    if config.fsrs_parameters:
        kwargs["parameters"] = config.fsrs_parameters
    return FsrsScheduler(**kwargs)


def to_fsrs(row: CardState | None, now: datetime) -> FsrsCard:
    if row is None:
        return FsrsCard(card_id=0, due=now)
    return FsrsCard(
        card_id=0,
        state=State(row.state),
        step=row.step,
        stability=row.stability,
        difficulty=row.difficulty,
        due=row.due,
        last_review=row.last_review,
    )


def _card_filter(filters: Filters) -> list[Any]:
    conds: list[Any] = [CardRow.suspended.is_(False), CardRow.hidden.is_(False)]
    if filters.decks:
        conds.append(CardRow.deck.in_(filters.decks))
    if filters.tags:
        conds.append(exists().where(CardTag.card_id == CardRow.id, CardTag.tag.in_(filters.tags)))
    return conds


def count_today(session: Session, now: datetime, day_starts_at: int) -> tuple[int, int]:
    """(new cards introduced, reviews done) since the current study day began."""
    today = clock.local_day(now, day_starts_at)
    start = clock.day_start(today, day_starts_at)
    end = clock.day_start(
        today + timedelta(days=1), day_starts_at
    )  # future-dated rows (clock went back) are not today's
    rows = session.execute(
        select(ReviewSlot.kind, func.sum(ReviewSlot.reviews))
        .where(ReviewSlot.slot >= slot_of(start), ReviewSlot.slot < slot_of(end))
        .group_by(ReviewSlot.kind)
    ).all()
    counts = dict(rows)
    return counts.get("new", 0), counts.get("review", 0)


def next_card(
    session: Session,
    now: datetime,
    filters: Filters,
    limits: Limits,
    day_starts_at: int,
    exclude: set[str] | None = None,
    new_order: str = "interleaved",
) -> str | None:
    """The id of the card to show next, or None when the day's work is done."""
    conds = _card_filter(filters)
    if exclude:
        conds.append(CardRow.id.not_in(exclude))
    learning = CardState.state != State.Review.value
    base = select(CardRow.id).join(CardState, CardState.card_id == CardRow.id).where(*conds)
    card_id = session.scalar(base.where(learning, CardState.due <= now).order_by(CardState.due).limit(1))
    if card_id:
        return card_id
    new_done, reviews_done = count_today(session, now, day_starts_at)
    if reviews_done < limits.reviews_per_day:
        tomorrow = clock.day_start(clock.local_day(now, day_starts_at) + timedelta(days=1), day_starts_at)
        card_id = session.scalar(base.where(not_(learning), CardState.due < tomorrow).order_by(CardState.due).limit(1))
        if card_id:
            return card_id
    if new_done < limits.new_per_day:
        card_id = session.scalar(new_cards(conds, new_order).limit(1))
        if card_id:
            return card_id
    return session.scalar(base.where(learning, CardState.due <= now + LEARN_AHEAD).order_by(CardState.due).limit(1))


def new_cards(conds: list[Any], new_order: str) -> Any:
    """New cards (never studied) matching `conds`, in the configured order (see Config.new_order).

    A card's rank is its place in its deck among all the deck's cards, studied or not, so that the decks take
    turns (and a deck that is behind catches up) instead of one deck's next card always ranking first."""
    rank = func.row_number().over(partition_by=CardRow.deck, order_by=(CardRow.priority.desc(), CardRow.position))
    ranked = select(CardRow.id, CardRow.deck, CardRow.position, CardRow.priority, rank.label("rank")).where(*conds)
    pool = ranked.subquery()
    pool = select(pool).where(~exists().where(CardState.card_id == pool.c.id)).subquery()
    order = {
        "deck": (pool.c.position,),
        "priority": (pool.c.priority.desc(), pool.c.rank, pool.c.deck),
    }.get(new_order, (pool.c.rank, pool.c.deck))  # interleaved: the decks take turns
    return select(pool.c.id).order_by(*order)


def due_counts(session: Session, now: datetime, filters: Filters, day_starts_at: int) -> dict[str, dict[str, int]]:
    """Per deck: cards, new, learning (due now), due (reviews due today), suspended."""
    tomorrow = clock.day_start(clock.local_day(now, day_starts_at) + timedelta(days=1), day_starts_at)
    active = and_(CardRow.suspended.is_(False), CardRow.hidden.is_(False))
    is_learning = and_(CardState.state != State.Review.value, CardState.due <= now)
    is_due = and_(CardState.state == State.Review.value, CardState.due < tomorrow)
    query = (
        select(
            CardRow.deck,
            func.count().filter(CardRow.hidden.is_(False)),
            func.count().filter(active, CardState.card_id.is_(None)),
            func.count().filter(active, is_learning),
            func.count().filter(active, is_due),
            func.count().filter(CardRow.suspended.is_(True), CardRow.hidden.is_(False)),
        )
        .outerjoin(CardState, CardState.card_id == CardRow.id)
        .group_by(CardRow.deck)
    )
    if filters.decks:
        query = query.where(CardRow.deck.in_(filters.decks))
    return {
        deck: {"cards": total, "new": new, "learning": learning, "due": due, "suspended": suspended}
        for deck, total, new, learning, due, suspended in session.execute(query)
    }


BURIED_KEY = "buried"  # meta: {card_id: ISO instant until which it stays out of the queue}


def _meta_map(session: Session, key: str) -> dict[str, Any]:
    """A meta value holding a JSON object (buried cards, claims): read."""
    import json

    raw = get_meta(session, key)
    return json.loads(raw) if raw else {}


def _set_meta_map(session: Session, key: str, mapping: dict[str, Any]) -> None:
    import json

    set_meta(session, key, json.dumps(mapping, sort_keys=True))


def _buried_map(session: Session) -> dict[str, str]:
    return _meta_map(session, BURIED_KEY)


SHOWING_KEY = "showing"  # meta: {card_id: [session token, ISO instant the claim lapses]}
CLAIM = timedelta(minutes=15)  # a crashed session's claim lapses by itself


def _claims(session: Session, now: datetime) -> dict[str, list[str]]:
    claims = _meta_map(session, SHOWING_KEY)
    return {card: claim for card, claim in claims.items() if datetime.fromisoformat(claim[1]) > now}


def shown_elsewhere(session: Session, token: str, now: datetime) -> set[str]:
    """Cards another running session is showing: not handed out here."""
    return {card for card, (owner, _) in _claims(session, now).items() if owner != token}


def claim(engine: Engine, card_id: str, token: str, now: datetime) -> bool:
    """Mark the card as shown by session `token` (dropping that session's other claim); False when another
    session claimed it first."""
    with Session(engine) as session, session.begin():
        write_lock(session)
        claims = _claims(session, now)
        owner = claims.get(card_id, [token])[0]
        if owner != token:
            return False
        claims = {card: c for card, c in claims.items() if c[0] != token}
        claims[card_id] = [token, (now + CLAIM).isoformat()]
        _set_meta_map(session, SHOWING_KEY, claims)
    return True


def release(engine: Engine, token: str, now: datetime) -> None:
    with Session(engine) as session, session.begin():
        write_lock(session)
        _set_meta_map(session, SHOWING_KEY, {card: c for card, c in _claims(session, now).items() if c[0] != token})


def buried(session: Session, now: datetime) -> set[str]:
    """Cards buried until a moment still in the future."""
    return {card_id for card_id, until in _buried_map(session).items() if datetime.fromisoformat(until) > now}


def remaining(
    session: Session, now: datetime, filters: Filters, limits: Limits, day_starts_at: int, exclude: set[str]
) -> tuple[int, int, int]:
    """Anki's three numbers: (new, learning, review) cards still to come in this study day."""
    conds = [*_card_filter(filters), CardRow.id.not_in(exclude)] if exclude else _card_filter(filters)
    tomorrow = clock.day_start(clock.local_day(now, day_starts_at) + timedelta(days=1), day_starts_at)
    learning = CardState.state != State.Review.value
    new_available, learning_due, review_due = session.execute(
        select(
            func.count().filter(CardState.card_id.is_(None)),
            func.count().filter(learning, CardState.due <= now + LEARN_AHEAD),  # what the drill will show
            func.count().filter(not_(learning), CardState.due < tomorrow),
        )
        .select_from(CardRow)
        .outerjoin(CardState, CardState.card_id == CardRow.id)
        .where(*conds)
    ).one()
    new_done, reviews_done = count_today(session, now, day_starts_at)
    return (
        max(0, min(new_available, limits.new_per_day - new_done)),
        learning_due,
        max(0, min(review_due, limits.reviews_per_day - reviews_done)),
    )


@dataclass(frozen=True)
class DayOutlook:
    """What to say when nothing is due: when the next card comes, and what else could be studied."""

    next_due: datetime | None
    due_tomorrow: int
    new_left: int  # new cards never studied (beyond today's limit)
    studied: int  # cards with a schedule (what --cram can review)


def outlook(session: Session, now: datetime, filters: Filters, day_starts_at: int) -> DayOutlook:
    conds = _card_filter(filters)
    end_of_tomorrow = clock.day_start(clock.local_day(now, day_starts_at) + timedelta(days=2), day_starts_at)
    next_due, due_tomorrow, studied, new_left = session.execute(
        select(
            func.min(CardState.due).filter(CardState.due > now),
            func.count().filter(CardState.due < end_of_tomorrow),
            func.count(CardState.card_id),
            func.count().filter(CardState.card_id.is_(None)),
        )
        .select_from(CardRow)
        .outerjoin(CardState, CardState.card_id == CardRow.id)
        .where(*conds)
    ).one()
    return DayOutlook(None if next_due is None else clock.as_utc(next_due), due_tomorrow, new_left, studied)


class Reviewer:
    """Applies ratings to cards; the only writer of card state and the review log."""

    def __init__(self, engine: Engine, config: Config) -> None:
        self.engine = engine
        self.config = config
        self.fsrs = make_fsrs(config)

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """One write transaction holding the write lock from its start, so that writers go one at a time on both
        backends (on SQLite they would at their first write anyway; PostgreSQL needs it said)."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            write_lock(session)
            yield session

    def outcomes(self, card_id: str, now: datetime) -> dict[int, Outcome]:
        """All four possible results, computed once so that the interval shown is the one applied."""
        with Session(self.engine) as session:
            row = session.get(CardState, card_id)
            prior = state_key(row)
            current = to_fsrs(row, now)
        results = {}
        for rating in Rating:
            # fsrs fuzz draws from `random`: seeded by the review being answered, not the second of the key
            # press, so that a recomputation a minute later gives the interval that was shown
            random.seed(f"{card_id}{current.last_review}{rating}")
            after, _ = self.fsrs.review_card(current, rating, review_datetime=now)
            results[int(rating)] = Outcome(int(rating), after, prior)
        return results

    def rate(
        self,
        card_id: str,
        outcome: Outcome,
        now: datetime,
        duration_ms: int | None,
        kind: str | None = None,
        answer: TypedAnswer | None = None,
    ) -> Recorded:
        """Commit one rating (state + log row in one transaction), only onto the state it was computed from:
        when another session rated the card in between, raise StaleCard and write nothing (never a lost
        update)."""
        with self._write() as session:
            row = session.get(CardState, card_id)
            if state_key(row) != outcome.prior:
                raise StaleCard(card_id)
            before = None if row is None else to_fsrs(row, now)
            if kind is None:
                kind = "new" if row is None else State(row.state).name.lower()
            after = outcome.after
            if row is None:
                row = CardState(card_id=card_id)
                session.add(row)
            row.state, row.step = after.state.value, after.step
            row.stability, row.difficulty = after.stability, after.difficulty
            row.due, row.last_review = after.due, after.last_review
            scheduled = None if before is None or before.last_review is None else before.due - before.last_review
            log = add_review(
                session,
                ReviewLog(
                    card_id=card_id,
                    rating=outcome.rating,
                    reviewed_at=now,
                    duration_ms=duration_ms,
                    kind=kind,
                    scheduled_days=None if scheduled is None else scheduled.total_seconds() / 86400,
                ),
            )
            if answer is not None:  # in the rating's own transaction: never a rating without its text
                session.add(
                    store.AnswerRow(
                        review_log_id=log.id,
                        text=answer.text,
                        points_hit=answer.points_hit,
                        points_total=answer.points_total,
                        typed_s=answer.typed_s,
                    )
                )
            leech = False
            if outcome.rating == Rating.Again and kind != "cram":
                lapses = session.scalar(
                    select(func.count()).where(
                        ReviewLog.card_id == card_id, ReviewLog.rating == 1, ReviewLog.kind != "cram"
                    )
                )
                if lapses is not None and lapses >= LEECH_LAPSES:
                    set_suspended(session, card_id, True, leech=True)
                    leech = True
            return Recorded(log.id, card_id, outcome.rating, leech, before)

    def log_cram(self, card_id: str, rating: int, now: datetime, duration_ms: int | None) -> Recorded:
        """Cramming leaves the schedule alone; the rating is logged as `cram` for the record only."""
        with self._write() as session:
            log = ReviewLog(card_id=card_id, rating=rating, reviewed_at=now, duration_ms=duration_ms, kind="cram")
            add_review(session, log)
            return Recorded(log.id, card_id, rating, False, scheduled=False)

    def undo(self, recorded: Recorded) -> None:
        """Restore the exact state before `recorded` and delete its log row (and un-leech)."""
        with self._write() as session:
            if remove_review(session, recorded.log_id) is None:
                return
            if recorded.scheduled:
                row = session.get(CardState, recorded.card_id)
                prior = recorded.before
                if prior is None:
                    if row is not None:
                        session.delete(row)
                else:
                    assert row is not None
                    row.state, row.step = prior.state.value, prior.step
                    row.stability, row.difficulty = prior.stability, prior.difficulty
                    row.due, row.last_review = clock.as_utc(prior.due), _opt_utc(prior.last_review)
            if recorded.leech:
                set_suspended(session, recorded.card_id, False, leech=False)

    def suspend(self, card_id: str) -> Suspended:
        with self._write() as session:
            set_suspended(session, card_id, True)
        return Suspended(card_id)

    def bury(self, card_id: str, now: datetime) -> Buried:
        """Out of the queue until the next study day begins (as Anki's bury)."""
        until = clock.day_start(
            clock.local_day(now, self.config.day_starts_at) + timedelta(days=1), self.config.day_starts_at
        )
        with self._write() as session:
            kept = {k: v for k, v in _buried_map(session).items() if datetime.fromisoformat(v) > now}
            kept[card_id] = until.isoformat()
            _set_meta_map(session, BURIED_KEY, kept)
        return Buried(card_id)

    def undo_action(self, action: Action) -> None:
        """Undo the last action of the drill, whatever it was (as Anki's undo)."""
        if isinstance(action, Recorded):
            self.undo(action)
        elif isinstance(action, Suspended):
            with self._write() as session:
                set_suspended(session, action.card_id, False)
        else:
            with self._write() as session:
                kept = _buried_map(session)
                kept.pop(action.card_id, None)
                _set_meta_map(session, BURIED_KEY, kept)

    def retrievability(self, card_id: str, now: datetime) -> float:
        with Session(self.engine) as session:
            row = session.get(CardState, card_id)
        return 0.0 if row is None else float(self.fsrs.get_card_retrievability(to_fsrs(row, now), now))


def cram_queue(session: Session, config: Config, now: datetime, filters: Filters, limit: int) -> list[str]:
    """Cards not due now, weakest first (lowest retrievability; never-studied cards last)."""
    fsrs = make_fsrs(config)
    rows = session.scalars(
        select(CardState)
        .join(CardRow, CardRow.id == CardState.card_id)
        .where(*_card_filter(filters), CardState.due > now)
    ).all()
    ranked = sorted(rows, key=lambda r: fsrs.get_card_retrievability(to_fsrs(r, now), now))
    ids = [r.card_id for r in ranked]
    if len(ids) < limit:
        ids += list(session.scalars(new_cards(_card_filter(filters), config.new_order).limit(limit - len(ids))))
    return ids[:limit]


class StaleCard(Exception):
    """The card was rated elsewhere after its outcomes were computed: show it again from its new state."""


def state_key(row: CardState | None) -> tuple[Any, ...] | None:
    """What identifies a card's state for compare-and-set: a rating elsewhere changes it."""
    if row is None:
        return None
    return (row.state, row.step, row.stability, row.difficulty, _opt_utc(row.due), _opt_utc(row.last_review))


def _opt_utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else clock.as_utc(moment)
