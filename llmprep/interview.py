"""Mock interviews: which questions to ask, and the report of how they went. No printing here.

A round: warm-up concept questions, each followed by a deeper one from the same deck (the same topic), then N
coding cards. Questions come from weak and due cards first (low retrievability, Again in the last 30 days),
then unseen ones, then the rest, taking the topics in turn; `seed` makes the order of equals reproducible.
The number of concept questions is what fits in the minutes left after the coding cards' own budgets, at
3 minutes each (at least one).

Score (0-100): the mean of every answered question's result weighted by its time budget. A concept question's
result is its points coverage (points made / points), a coding card's is 1 when it passed and 0 otherwise; so
with the default budgets a 20-minute coding card weighs as much as 6-7 concept questions.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from llmprep import clock, scheduler
from llmprep.answers import CONCEPT_BUDGET_S, Checked
from llmprep.config import Config
from llmprep.decks import Card
from llmprep.store import Attempt, CardRow, CardState, InterviewRow, ReviewLog

WEAK_RETRIEVABILITY = 0.85  # a studied card recalled less likely than this counts as weak
RECENT_LAPSE_DAYS = 30  # an Again within this many days counts as a recent lapse
LAPSE_WEIGHT = 0.1  # each recent lapse ranks a card as if its retrievability were this much lower
WORK_ON = 3  # topics named at the end
STAGES = ("warm-up", "follow-up", "coding")


@dataclass(frozen=True)
class Question:
    card_id: str
    deck: str
    tags: tuple[str, ...]
    stage: str  # one of STAGES
    budget_s: float


@dataclass(frozen=True)
class Plan:
    questions: tuple[Question, ...]
    seed: int
    minutes: int


@dataclass
class Result:
    """One answered question: a concept card's typed answer, or a coding card's grade."""

    question: Question
    time_s: float
    checked: Checked | None = None  # concept questions
    rating: int | None = None  # the rating applied (None: not confirmed, or rated elsewhere meanwhile)
    verdict: dict[str, Any] | None = None  # coding: {passed, checks_passed, checks_total}; None: never graded

    @property
    def value(self) -> float:
        """0..1: points coverage of a concept answer; 1 or 0 for a coding card (passed or not)."""
        if self.question.stage == "coding":
            return 1.0 if self.verdict and self.verdict["passed"] else 0.0
        coverage = self.checked.coverage if self.checked else None
        return 0.0 if coverage is None else coverage


@dataclass
class Scope:
    decks: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    excluded: set[str] = field(default_factory=set)  # suspended or hidden card ids

    def holds(self, card: Card) -> bool:
        return (
            card.id not in self.excluded
            and (not self.decks or card.deck in self.decks)
            and (not self.tags or bool(set(card.tags) & set(self.tags)))
        )


def concept_count(minutes: int, coding_budget_s: float) -> int:
    return max(1, int((minutes * 60 - coding_budget_s) // CONCEPT_BUDGET_S))


def plan(
    engine: Engine,
    config: Config,
    cards: Iterable[Card],
    filters: scheduler.Filters,
    minutes: int,
    coding: int,
    seed: int | None,
    now: datetime,
) -> Plan:
    """The questions of one interview. Concept questions are cards with key points (their answers are scored)."""
    if seed is None:
        seed = random.SystemRandom().randrange(1, 1_000_000)
    rng = random.Random(seed)
    cards = list(cards)
    with Session(engine) as session:
        excluded = set(session.scalars(select(CardRow.id).where(CardRow.suspended | CardRow.hidden)))
    scope = Scope(filters.decks, filters.tags, excluded)
    concepts = [c for c in cards if c.kind == "qa" and c.points and scope.holds(c)]
    code_cards = [c for c in cards if c.kind == "code" and c.id not in excluded]
    if coding and (filters.decks or filters.tags):  # coding cards of the topic when there are any, else any
        code_cards = [c for c in code_cards if scope.holds(c)] or code_cards
    coding_questions = []
    if coding:
        from llmprep.grading import cardspec  # torch-free: reads card.yaml

        for card in _ranked(engine, config, code_cards, now, rng)[:coding]:
            assert card.grader is not None
            budget = cardspec.load(card.grader).minutes * 60.0
            coding_questions.append(Question(card.id, card.deck, card.tags, "coding", budget))
    count = concept_count(minutes, sum(q.budget_s for q in coding_questions))
    ranked = _ranked(engine, config, concepts, now, rng)
    questions = [*_spread(ranked, count), *coding_questions]
    return Plan(tuple(questions), seed, minutes)


def _ranked(engine: Engine, config: Config, cards: list[Card], now: datetime, rng: random.Random) -> list[Card]:
    """Weak and due first (lowest retrievability, recent lapses), then unseen (high priority first), then the
    rest (weakest first); equals in the order `rng` gives."""
    if not cards:
        return []
    fsrs = scheduler.make_fsrs(config)
    ids = [c.id for c in cards]
    since = now - timedelta(days=RECENT_LAPSE_DAYS)
    with Session(engine) as session:
        states = {row.card_id: row for row in session.scalars(select(CardState).where(CardState.card_id.in_(ids)))}
        lapses = dict(
            session.execute(
                select(ReviewLog.card_id, func.count())
                .where(
                    ReviewLog.card_id.in_(ids),
                    ReviewLog.rating == 1,
                    ReviewLog.kind != "cram",
                    ReviewLog.reviewed_at >= since,
                )
                .group_by(ReviewLog.card_id)
            ).all()
        )
    keyed = []
    for card in cards:
        row = states.get(card.id)
        if row is None:
            key: tuple[int, float] = (1, 0.0 if card.priority == "high" else 1.0)
        else:
            recall = float(fsrs.get_card_retrievability(scheduler.to_fsrs(row, now), now))
            weakness = recall - LAPSE_WEIGHT * lapses.get(card.id, 0)
            weak = clock.as_utc(row.due) <= now or recall < WEAK_RETRIEVABILITY or lapses.get(card.id, 0) > 0
            key = (0 if weak else 2, weakness)
        keyed.append((key, rng.random(), card))
    keyed.sort(key=lambda item: (item[0], item[1]))
    return [card for _, _, card in keyed]


def _spread(ranked: list[Card], count: int) -> list[Question]:
    """Warm-up from the best-ranked deck not asked yet, then a follow-up from the same deck (one sharing a tag
    with the warm-up when there is one); the decks take turns until `count` questions are chosen."""
    left = list(ranked)
    used: set[str] = set()
    chosen: list[Question] = []
    while left and len(chosen) < count:
        warm = next((c for c in left if c.deck not in used), None)
        if warm is None:  # every deck has had its turn: a second round
            used.clear()
            warm = left[0]
        used.add(warm.deck)
        left.remove(warm)
        chosen.append(Question(warm.id, warm.deck, warm.tags, "warm-up", CONCEPT_BUDGET_S))
        if len(chosen) == count:
            break
        same = [c for c in left if c.deck == warm.deck]
        follow = next((c for c in same if set(c.tags) & set(warm.tags)), same[0] if same else None)
        if follow is not None:
            left.remove(follow)
            chosen.append(Question(follow.id, follow.deck, follow.tags, "follow-up", CONCEPT_BUDGET_S))
    return chosen


def coding_verdict(engine: Engine, card_id: str, since: datetime) -> dict[str, Any] | None:
    """The last grade of a coding card since the question was asked (None: never graded)."""
    with Session(engine) as session:
        attempt = session.scalar(
            select(Attempt)
            .where(Attempt.card_id == card_id, Attempt.attempted_at >= since)
            .order_by(Attempt.id.desc())
            .limit(1)
        )
        if attempt is None:
            return None
        passed = sum(check.get("status") == "pass" for check in attempt.checks)
        return {"passed": attempt.passed, "checks_passed": passed, "checks_total": len(attempt.checks)}


def score(results: list[Result]) -> float | None:
    """0-100: each answered question's result weighted by its time budget (see the module docstring)."""
    weight = sum(r.question.budget_s for r in results)
    if not weight:
        return None
    return round(100 * sum(r.value * r.question.budget_s for r in results) / weight, 1)


def work_on(results: list[Result]) -> list[dict[str, Any]]:
    """The weakest topics of this interview: decks by their mean result (below 1), then tags to fill three."""
    topics: list[dict[str, Any]] = []
    for kind in ("deck", "tag"):
        values: dict[str, list[float]] = defaultdict(list)
        for r in results:
            for name in (r.question.deck,) if kind == "deck" else r.question.tags:
                values[name].append(r.value)
        means = sorted((sum(v) / len(v), name) for name, v in values.items())
        for mean, name in means:
            if mean < 1 and len(topics) < WORK_ON and name not in {t["topic"] for t in topics}:
                topics.append({"topic": name, "kind": kind, "score": round(100 * mean, 1)})
    return topics


def report(
    plan: Plan,
    results: list[Result],
    cards: dict[str, Card],
    lang: str,
    started: datetime,
    finished: datetime,
    ended: str,
) -> dict[str, Any]:
    """The `interview --json` document (keys documented in the README)."""
    questions = []
    for n, r in enumerate(results, 1):
        q, card = r.question, cards[r.question.card_id]
        hits = r.checked.hits if r.checked else ()
        texts = [p.get(lang) or p["en"] for p in card.points] if hits else []
        questions.append(
            {
                "n": n,
                "card": q.card_id,
                "deck": q.deck,
                "tags": list(q.tags),
                "stage": q.stage,
                "budget_s": q.budget_s,
                "time_s": round(r.time_s, 1),
                "over_budget": r.time_s > q.budget_s,
                "points_total": len(hits),
                "points_hit": sum(hits),
                "coverage": None if not hits else round(sum(hits) / len(hits), 4),
                "hit": [text for text, hit in zip(texts, hits, strict=True) if hit],
                "missed": [text for text, hit in zip(texts, hits, strict=True) if not hit],
                "suggested": r.checked.suggested if r.checked else None,
                "rating": r.rating,
                "verdict": r.verdict,
            }
        )
    concept = [r for r in results if r.question.stage != "coding"]
    coding = [r for r in results if r.question.stage == "coding"]
    elapsed = (finished - started).total_seconds()
    return {
        "id": None,
        "started_at": started.isoformat(),
        "finished_at": finished.isoformat(),
        "minutes": plan.minutes,
        "seed": plan.seed,
        "lang": lang,
        "ended": ended,
        "planned": len(plan.questions),
        "answered": len(results),
        "elapsed_s": round(elapsed, 1),
        "over_time": elapsed > plan.minutes * 60,
        "score": score(results),
        "concept": {
            "answered": len(concept),
            "mean_coverage": round(sum(r.value for r in concept) / len(concept), 4) if concept else None,
        },
        "coding": {"answered": len(coding), "passed": sum(r.value == 1.0 for r in coding)},
        "questions": questions,
        "work_on": work_on(results),
    }


def save(engine: Engine, document: dict[str, Any], started: datetime, finished: datetime) -> dict[str, Any]:
    """Store the interview; returns the report with its `id`."""
    with Session(engine) as session, session.begin():
        row = InterviewRow(
            started_at=started, finished_at=finished, minutes=document["minutes"], score=document["score"], report={}
        )
        session.add(row)
        session.flush()
        document = {**document, "id": row.id}
        row.report = document
    return document


def history(engine: Engine) -> list[dict[str, Any]]:
    """Past interviews, newest first (the `interview --history --json` document)."""
    with Session(engine) as session:
        rows = session.scalars(select(InterviewRow).order_by(InterviewRow.started_at.desc(), InterviewRow.id.desc()))
        return [
            {
                "id": row.id,
                "started_at": row.started_at.isoformat(),
                "minutes": row.minutes,
                "score": row.score,
                "answered": row.report.get("answered", 0),
                "planned": row.report.get("planned", 0),
                "ended": row.report.get("ended"),
                "work_on": [t["topic"] for t in row.report.get("work_on", [])],
            }
            for row in rows
        ]


def summary(engine: Engine, day_starts_at: int) -> dict[str, Any]:
    """The `interviews` section of `stats --json`: how many, the score of each by day, and the mean score."""
    with Session(engine) as session:
        count = session.scalar(select(func.count()).select_from(InterviewRow)) or 0
        scored = session.execute(
            select(InterviewRow.started_at, InterviewRow.score)
            .where(InterviewRow.score.is_not(None))
            .order_by(InterviewRow.started_at, InterviewRow.id)
        ).all()
    trend = [{"date": clock.local_day(when, day_starts_at).isoformat(), "score": s} for when, s in scored]
    mean = round(sum(s for _, s in scored) / len(scored), 1) if scored else None
    return {"count": count, "mean_score": mean, "trend": trend}
