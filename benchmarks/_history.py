"""One synthetic review history, generated the same way for llmprep and for Anki.

`reviews(spec, final)` yields every review in time order: study days over two years (about 85% of days), one or
two sessions a day (morning, evening), reviews a few seconds apart, ratings 1/2/3/4 at about 10/15/65/10%, new
cards introduced over the first 80% of the reviews, otherwise the card due earliest. It fills `final` with each card's state after its last
review: state 2 (review), a stability, a difficulty, a due date within the next ~60 days (some due today) and
its last review time. A fixed seed makes both systems see the same events.
"""

from __future__ import annotations

import heapq
import math
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass

DAY_MS = 86_400_000
DAYS = 730
DECKS = 10
KINDS = ("new", "learning", "review", "relearning")  # phase of the card before the review
FIRST_STABILITY = (0.4, 1.2, 3.2, 15.7)  # after the first rating 1..4 (FSRS-like defaults)
STABILITY_FACTOR = (0.35, 1.1, 1.6, 2.6)  # multiplies the stability at each later rating 1..4
DIFFICULTY_STEP = (0.8, 0.3, -0.1, -0.5)
STEP_MS = 600_000  # a (re)learning card comes back 10 minutes later


@dataclass(frozen=True)
class Spec:
    cards: int = 10_000
    reviews: int = 1_000_000
    seed: int = 0
    now_ms: int = 0  # 0: the start of the current minute (fixed once the spec is made, see `spec`)


@dataclass(frozen=True)
class Review:
    card: int  # index 0..cards-1
    at_ms: int  # Unix epoch milliseconds, strictly increasing (unique: Anki's revlog id)
    rating: int
    duration_ms: int
    kind: str  # new | learning | review | relearning
    scheduled_days: float | None  # interval the card was due after (None for new)
    elapsed_days: float | None  # since its previous review (None for new)
    stability: float  # after this review
    difficulty: float
    interval_days: int  # next interval, days


@dataclass(frozen=True)
class FinalState:
    stability: float
    difficulty: float
    due_ms: int
    last_review_ms: int
    reps: int
    lapses: int
    interval_days: int


def spec(cards: int, reviews: int, seed: int = 0) -> Spec:
    if cards % DECKS:
        raise ValueError(f"{cards} cards do not split evenly into {DECKS} decks")
    if reviews < cards:
        raise ValueError(f"{reviews} reviews cannot give each of {cards} cards a history")
    return Spec(cards, reviews, seed, int(time.time() // 60 * 60_000))


def card_name(card: int, cards: int) -> str:
    """llmprep's card id of card `card`: cards are split evenly over DECKS decks, in order."""
    per_deck = cards // DECKS
    return f"bench{card // per_deck}-{card % per_deck}"


def _rating(rng: random.Random) -> int:
    x = rng.random()
    return 1 if x < 0.10 else 2 if x < 0.25 else 3 if x < 0.90 else 4


def _day_counts(rng: random.Random, total: int) -> list[int]:
    """Reviews per day for the DAYS days before today: zero on skipped days, summing to `total`."""
    weights = [rng.uniform(0.5, 1.5) if rng.random() < 0.85 else 0.0 for _ in range(DAYS)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    counts[max(range(DAYS), key=lambda d: weights[d])] += total - sum(counts)
    return counts


def _session_times(rng: random.Random, day_start_ms: int, count: int) -> Iterator[tuple[int, int]]:
    """(time, duration) of `count` reviews in one or two sessions of this day."""
    sessions = 1 if rng.random() < 0.6 else 2
    for session in range(sessions):
        n = count // sessions + (count % sessions if session == 0 else 0)
        t = day_start_ms + (7 if session == 0 else 19) * 3_600_000 + rng.randrange(2 * 3_600_000)
        for _ in range(n):
            duration = min(60_000, max(1_000, int(rng.lognormvariate(8.7, 0.5))))  # median ~6 s
            t += duration + rng.randrange(300, 3_000)
            yield t, duration


def reviews(spec: Spec, final: list[FinalState]) -> Iterator[Review]:
    """Every review in time order; `final` is filled (index = card) once the iterator is exhausted.

    Each review takes a new card while introductions lag behind (new cards spread over the first 80% of the
    reviews), else the card due earliest (learning steps come back within the session; when nothing is due, the
    nearest card is reviewed ahead, as a heavy reviewer does)."""
    rng = random.Random(spec.seed)
    n = spec.cards
    stability, difficulty = [0.0] * n, [5.0] * n
    phase, last, interval, reps, lapses = [0] * n, [0] * n, [0] * n, [0] * n, [0] * n
    queue: list[tuple[int, int]] = []  # (due ms, card)
    introduced = k = previous = 0
    today_ms = spec.now_ms - spec.now_ms % DAY_MS
    for day, count in enumerate(_day_counts(rng, spec.reviews)):
        for at, duration in _session_times(rng, today_ms - (DAYS - day) * DAY_MS, count):
            at = previous = max(at, previous + 1)
            if introduced < n and (introduced * 0.8 * spec.reviews <= k * n or not queue):
                card, introduced = introduced, introduced + 1
            else:
                card = heapq.heappop(queue)[1]
            k += 1
            rating = _rating(rng)
            before = phase[card]
            if before == 0:
                stability[card] = FIRST_STABILITY[rating - 1]
                difficulty[card] = 7.0 - rating * 0.9
                scheduled = elapsed = None
            else:
                stability[card] = min(3650.0, max(0.1, stability[card] * STABILITY_FACTOR[rating - 1]))
                difficulty[card] = min(10.0, max(1.0, difficulty[card] + DIFFICULTY_STEP[rating - 1]))
                scheduled, elapsed = float(interval[card]), (at - last[card]) / DAY_MS
            if rating == 1:
                lapses[card] += before == 2
                phase[card] = 3 if before in (2, 3) else 1
            else:
                phase[card] = 1 if rating == 2 and before in (0, 1) else 2
            interval[card] = max(1, round(stability[card]))
            last[card] = at
            reps[card] += 1
            step = STEP_MS if phase[card] in (1, 3) else interval[card] * DAY_MS
            heapq.heappush(queue, (at + step, card))
            yield Review(
                card,
                at,
                rating,
                duration,
                KINDS[before],
                scheduled,
                elapsed,
                stability[card],
                difficulty[card],
                interval[card],
            )
    final.clear()
    for card in range(n):
        due = max(spec.now_ms + int(rng.uniform(-2.0, 58.0) * DAY_MS), last[card] + DAY_MS)  # overdue: due today
        s = min(400.0, max(0.5, stability[card]))
        final.append(FinalState(s, difficulty[card], due, last[card], reps[card], lapses[card], max(1, math.ceil(s))))
