"""Progress review: SQL aggregations over the review log, card states and coding attempts.

Returns one plain dict (the `--json` document; keys are stable and documented in the README); the CLI
renders it. Days are local study days, rolling over at `day_starts_at` (SQLite's 'localtime' follows TZ). The same
SQL runs on SQLite and PostgreSQL (the few expressions that differ come from `llmprep.sql`); the forecast and the
days to a first pass are binned here from the fetched times."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine

from llmprep import answers, clock, interview, sql
from llmprep.config import Config
from llmprep.scheduler import Filters, make_fsrs
from llmprep.store import MATURE_DAYS, SLOT_MS, slot_of, slot_rows_sql

PERIODS = {"today": 0, "week": 7, "month": 30, "year": 365}  # the last must be the longest
EPOCH = date(1970, 1, 1)


def _day_offset_s(day_starts_at: int, now: datetime) -> int:
    """Seconds to add to a UTC time so that its date is the local study day. The UTC offset of `now` is used for
    every row (DST shifts a boundary by an hour in the half of the year it does not hold)."""
    offset = now.astimezone().utcoffset() or timedelta(0)
    return int(offset.total_seconds()) - 3600 * day_starts_at


def _card_where(filters: Filters, alias: str = "c", *, history: bool = False) -> tuple[str, dict[str, Any]]:
    """SQL conditions for the cards in scope. `history`: for what was studied (reviews, streaks, retention), a
    card whose deck was deleted still counts: the work was done; card counts and mastery cover present cards."""
    clauses, params = ["1 = 1" if history else f"NOT {alias}.hidden"], {}
    if filters.decks:
        names = [f":deck{i}" for i in range(len(filters.decks))]
        clauses.append(f"{alias}.deck IN ({', '.join(names)})")
        params.update({f"deck{i}": d for i, d in enumerate(filters.decks)})
    if filters.tags:
        names = [f":tag{i}" for i in range(len(filters.tags))]
        clauses.append(
            f"EXISTS (SELECT 1 FROM card_tags t WHERE t.card_id = {alias}.id AND t.tag IN ({', '.join(names)}))"
        )
        params.update({f"tag{i}": t for i, t in enumerate(filters.tags)})
    return " AND ".join(clauses), params


def collect(engine: Engine, config: Config, filters: Filters, now: datetime, days: int = 365) -> dict[str, Any]:
    h = config.day_starts_at
    today = clock.local_day(now, h)
    now_text = now.replace(tzinfo=None).isoformat(sep=" ")
    where, params = _card_where(filters)
    # the review counts come from the running sums in review_slots; a deck or tag filter sums the log instead
    filtered = bool(filters.decks or filters.tags)
    slots = f"({slot_rows_sql(_card_where(filters, history=True)[0])})" if filtered else "review_slots"
    fsrs = make_fsrs(config)
    d = sql.Dialect(engine.dialect.name)
    elapsed = d.whole(f"{d.julianday(d.timestamp(':now'))} - {d.julianday('s.last_review')}")
    retr = f"pow(1 + {d.real(fsrs._FACTOR)} * {d.greatest('0', elapsed)} / s.stability, {d.real(fsrs._DECAY)})"
    interval = f"{d.julianday('s.due')} - {d.julianday('s.last_review')}"
    # "today" is bounded on both sides: after the clock went back, reviews dated in the future are not today's
    params = {
        **params,
        "now": now_text,
        "day_start": slot_of(clock.day_start(today, h)),
        "day_end": slot_of(clock.day_start(today + timedelta(days=1), h)),
        "offset": _day_offset_s(h, now),
    }

    with engine.connect() as conn:

        def one(sql: str, **extra: Any) -> Any:
            return conn.execute(text(sql), {**params, **extra}).one()

        def rows(sql: str, **extra: Any) -> list[Any]:
            return list(conn.execute(text(sql), {**params, **extra}))

        total_cards = one(f"SELECT count(*) FROM cards c WHERE {where}")[0]
        reviewed, new, again, ms = (
            int(n)
            for n in one(
                "SELECT coalesce(sum(reviews), 0), coalesce(sum(reviews) FILTER (WHERE kind = 'new'), 0), "
                f"coalesce(sum(again), 0), coalesce(sum(ms), 0) FROM {slots} s WHERE kind != 'cram' "
                "AND slot >= :day_start AND slot < :day_end"
            )
        )  # int: PostgreSQL sums bigint columns as numeric
        # the streaks, the heatmap and the total from one pass over the slots
        per_day = [
            ((EPOCH + timedelta(days=int(number))).isoformat(), int(n))
            for number, n in rows(
                f"SELECT (slot * {SLOT_MS // 1000} + :offset) / 86400 AS d, sum(reviews) FROM {slots} s "
                "WHERE kind != 'cram' GROUP BY d ORDER BY d"
            )
        ]
        total_reviews = sum(n for _, n in per_day)
        study_days = [date.fromisoformat(d) for d, _ in per_day]
        heat_from = (today - timedelta(days=days - 1)).isoformat()
        heatmap = {d: n for d, n in per_day if d >= heat_from}
        # the next 30 local days' due cards, binned here: the local date of `due` (its UTC time + offset)
        shift = timedelta(seconds=params["offset"])
        horizon = datetime.combine(today + timedelta(days=30), time()) - shift  # naive UTC, as stored
        forecast_dues = [
            due
            for (due,) in rows(
                f"SELECT s.due FROM card_state s JOIN cards c ON c.id = s.card_id WHERE {where} "
                f"AND NOT c.suspended AND s.due < {d.timestamp(':horizon')}",
                horizon=horizon.isoformat(sep=" "),
            )
        ]
        # true retention for every period and maturity from the last year's slots of review ratings
        starts = {name: slot_of(clock.day_start(today - timedelta(days=span), h)) for name, span in PERIODS.items()}
        columns = [
            f"coalesce(sum({column}) FILTER (WHERE slot >= :{name}), 0)"
            for name in PERIODS
            for column in ("reviews", "reviews - again", "mature", "mature - mature_again")
        ]
        counts = [
            int(n)
            for n in one(
                f"SELECT {', '.join(columns)} FROM {slots} s WHERE kind = 'review' AND slot >= :year", **starts
            )
        ]
        retention = {}
        for i, name in enumerate(PERIODS):
            total, passed, mature, mature_passed = counts[4 * i : 4 * i + 4]
            retention[name] = {
                "young": _rate(total - mature, passed - mature_passed),
                "mature": _rate(mature, mature_passed),
                "all": _rate(total, passed),
            }
        mastery_sql = (
            "SELECT {key} AS key, count(*) AS cards, "
            "count(*) FILTER (WHERE s.card_id IS NULL AND NOT c.suspended) AS new, "
            "count(*) FILTER (WHERE s.state IN (1, 3) AND NOT c.suspended) AS learning, "
            f"count(*) FILTER (WHERE s.state = 2 AND NOT c.suspended AND {interval} < {MATURE_DAYS}) AS young, "
            f"count(*) FILTER (WHERE s.state = 2 AND NOT c.suspended AND {interval} >= {MATURE_DAYS}) AS mature, "
            "count(*) FILTER (WHERE c.suspended) AS suspended, "
            f"avg(CASE WHEN s.stability > 0 THEN {retr} END) AS retrievability "
            "FROM cards c {join} LEFT JOIN card_state s ON s.card_id = c.id WHERE "
            + where
            + " GROUP BY key ORDER BY key"
        )
        per_deck = [_mastery(r) for r in rows(mastery_sql.format(key="c.deck", join=""))]
        per_tag = [
            _mastery(r) for r in rows(mastery_sql.format(key="tg.tag", join="JOIN card_tags tg ON tg.card_id = c.id"))
        ]
        weakest = [
            {"card": cid, "deck": deck, "retrievability": _round(r), "lapses": lapses, "leech": bool(leech)}
            for cid, deck, r, lapses, leech in rows(
                # lapses are counted for the ten weakest only, not for every card
                "SELECT w.id, w.deck, w.r, (SELECT count(*) FROM review_log l WHERE l.card_id = w.id "
                "AND l.rating = 1 AND l.kind != 'cram'), w.leech FROM ("
                f"SELECT c.id, c.deck, {retr} AS r, c.leech FROM cards c JOIN card_state s ON s.card_id = c.id "
                f"WHERE {where} AND s.stability > 0 ORDER BY c.leech DESC, r ASC, c.id LIMIT 10) w"
            )
        ]
        coding = [
            {
                "card": cid,
                "attempts": n,
                "pass_rate": _round(passed / n),
                "first_try_pass": bool(first),
                "days_to_first_pass": _round(to_pass),
                "last_verdict": "pass" if last else "fail",
                "best_time_to_pass_s": _round(best),
                "hints_used": hints or 0,
            }
            for cid, n, passed, first, to_pass, last, best, hints in _days_to_pass(
                rows(
                    "SELECT a.card_id, count(*), count(*) FILTER (WHERE a.passed), "
                    "(SELECT a2.passed FROM attempts a2 WHERE a2.card_id = a.card_id ORDER BY a2.id LIMIT 1), "
                    "min(a.attempted_at) FILTER (WHERE a.passed), min(a.attempted_at), "
                    "(SELECT a3.passed FROM attempts a3 WHERE a3.card_id = a.card_id ORDER BY a3.id DESC LIMIT 1), "
                    "min(a.session_s) FILTER (WHERE a.passed), sum(a.hints_used) "
                    f"FROM attempts a JOIN cards c ON c.id = a.card_id WHERE {where} GROUP BY a.card_id ORDER BY a.card_id"
                )
            )
        ]
    current, longest = _streaks(study_days, today)
    forecast = [0] * 30
    for due in forecast_dues:
        forecast[max(0, (_naive(due) + shift).date().toordinal() - today.toordinal())] += 1
    attempts = sum(c["attempts"] for c in coding)
    return {
        "generated_at": now.isoformat(),
        "filters": {"decks": list(filters.decks), "tags": list(filters.tags), "days": days},
        "empty": total_reviews == 0 and not coding,
        "cards": total_cards,
        "reviews": total_reviews,
        "today": {
            "reviewed": reviewed,
            "new": new,
            "again_rate": _round(again / reviewed) if reviewed else None,
            "seconds": round(ms / 1000, 1),
        },
        "streak": {"current": current, "longest": longest, "study_days": len(study_days)},
        "forecast": [{"date": (today + timedelta(days=i)).isoformat(), "due": n} for i, n in enumerate(forecast)],
        "heatmap": [{"date": d, "reviews": n} for d, n in heatmap.items()],
        "retention": retention,
        "decks": per_deck,
        "tags": per_tag,
        "weakest": weakest,
        "coding": {
            "cards": coding,
            "attempts": attempts,
            "pass_rate": _round(sum(c["pass_rate"] * c["attempts"] for c in coding) / attempts) if attempts else None,
            "first_try_pass_rate": _round(sum(c["first_try_pass"] for c in coding) / len(coding)) if coding else None,
        },
        "typed": answers.summary(engine, filters, now),
        "interviews": interview.summary(engine, h),
    }


def _naive(moment: datetime | str) -> datetime:
    """A time as stored (naive UTC): SQLite's text, PostgreSQL's timestamp."""
    return datetime.fromisoformat(moment) if isinstance(moment, str) else moment.replace(tzinfo=None)


def _days_to_pass(rows: list[Any]) -> list[tuple[Any, ...]]:
    """Each coding row with its (first pass, first attempt) times replaced by the days between them."""
    out = []
    for cid, n, passed, first, first_pass, first_at, last, best, hints in rows:
        days = None if first_pass is None else (_naive(first_pass) - _naive(first_at)).total_seconds() / 86400
        out.append((cid, n, passed, first, days, last, best, hints))
    return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def _rate(total: int, passed: int) -> dict[str, Any]:
    return {"reviews": total, "passed": passed, "retention": _round(passed / total) if total else None}


def _mastery(row: Any) -> dict[str, Any]:
    key, cards, new, learning, young, mature, suspended, retrievability = row
    return {
        "name": key,
        "cards": cards,
        "new": new,
        "learning": learning,
        "young": young,
        "mature": mature,
        "suspended": suspended,
        "mean_retrievability": _round(retrievability),
    }


def _streaks(days: list[date], today: date) -> tuple[int, int]:
    """Current streak counts back from today (or yesterday, if today has no reviews yet)."""
    longest = run = 0
    previous: date | None = None
    for day in days:
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    if not days or (today - days[-1]).days > 1:
        return 0, longest
    return run, longest
