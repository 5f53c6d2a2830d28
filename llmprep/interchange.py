"""The whole history as one JSON document (review log, card states, suspensions, attempts, config) and back,
and the review log as CSV for spreadsheets. Rows are matched on stable keys, so `--merge` skips what is there."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from llmprep import store
from llmprep.errors import UsageError

FORMAT = "llmprep-history"
VERSION = 1
LOG_FIELDS = ("card_id", "rating", "reviewed_at", "duration_ms", "kind", "scheduled_days")
ANSWER_FIELDS = ("text", "points_hit", "points_total", "typed_s")  # a typed answer, inside its review's entry


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_time(value: str | None, where: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise UsageError(f"{where}: `{value}` is not an ISO date-time") from None
    if parsed.tzinfo is None:
        raise UsageError(f"{where}: `{value}` has no time zone; exported times end in +00:00")
    return parsed


def export(session: Session, config_text: str, now: datetime) -> dict[str, Any]:
    """Everything the user made: what the decks give (the card texts) is not repeated, only card ids."""
    answers = {row.review_log_id: row for row in session.scalars(select(store.AnswerRow))}
    log = [
        {**{f: getattr(row, f) for f in LOG_FIELDS}, "reviewed_at": _time(row.reviewed_at)}
        | ({"answer": {f: getattr(answers[row.id], f) for f in ANSWER_FIELDS}} if row.id in answers else {})
        for row in session.scalars(select(store.ReviewLog).order_by(store.ReviewLog.id))
    ]
    interviews = [
        {
            "started_at": _time(row.started_at),
            "finished_at": _time(row.finished_at),
            "minutes": row.minutes,
            "score": row.score,
            "report": row.report,
        }
        for row in session.scalars(select(store.InterviewRow).order_by(store.InterviewRow.id))
    ]
    states = [
        {
            "card_id": row.card_id,
            "state": row.state,
            "step": row.step,
            "stability": row.stability,
            "difficulty": row.difficulty,
            "due": _time(row.due),
            "last_review": _time(row.last_review),
        }
        for row in session.scalars(select(store.CardState).order_by(store.CardState.card_id))
    ]
    flags = [
        {"card_id": row.id, "suspended": row.suspended, "leech": row.leech}
        for row in session.scalars(
            select(store.CardRow).where(store.CardRow.suspended | store.CardRow.leech).order_by(store.CardRow.id)
        )
    ]
    attempts = [
        {
            "card_id": row.card_id,
            "attempted_at": _time(row.attempted_at),
            "device": row.device,
            "passed": row.passed,
            "gave_up": row.gave_up,
            "duration_s": row.duration_s,
            "seed": row.seed,
            "checks": row.checks,
            "source": row.source,
        }
        for row in session.scalars(select(store.Attempt).order_by(store.Attempt.id))
    ]
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _time(now),
        "schema": store.SCHEMA_VERSION,
        "review_log": log,
        "card_states": states,
        "card_flags": flags,
        "attempts": attempts,
        "interviews": interviews,
        "config": config_text,
    }


def log_csv(document: dict[str, Any]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=LOG_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(document["review_log"])
    return buffer.getvalue()


def check_document(document: Any, source: str) -> dict[str, Any]:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise UsageError(f'{source}: not an llmprep history (no `"format": "{FORMAT}"`); export one first')
    if document.get("version") != VERSION:
        raise UsageError(f"{source}: history format version {document.get('version')!r}; this llmprep reads {VERSION}")
    for key in ("review_log", "card_states", "card_flags", "attempts"):
        if not isinstance(document.get(key), list):
            raise UsageError(f"{source}: `{key}` must be a list")
    return document


def is_empty(session: Session) -> bool:
    return not any(
        session.scalar(select(model).limit(1)) for model in (store.ReviewLog, store.CardState, store.Attempt)
    )


def import_history(
    session: Session, document: dict[str, Any], source: str, now: datetime, merge: bool
) -> dict[str, int]:
    """Add the document's rows; refuses a database with history unless `merge` (then rows already present by
    their key — card and time — are skipped, and a card's state is only set where it has none). Cards the
    decks do not have are kept, hidden, so their history survives until the card comes back."""
    if not merge and not is_empty(session):
        raise UsageError("the database already has a history; import into a new one (--db NEW.sqlite3) or pass --merge")
    known = set(session.scalars(select(store.CardRow.id)))
    counts = {"review_log": 0, "card_states": 0, "attempts": 0, "interviews": 0, "skipped": 0}

    def ensure_card(card_id: Any, where: str) -> str:
        if not isinstance(card_id, str) or not card_id:
            raise UsageError(f"{where}: `card_id` must be a card id")
        if card_id not in known:
            session.add(
                store.CardRow(
                    id=card_id,
                    deck="",
                    kind="qa",
                    position=0,
                    priority=0,
                    content_hash="",
                    suspended=False,
                    leech=False,
                    hidden=True,
                    added_at=now,
                )
            )
            session.flush()
            known.add(card_id)
        return card_id

    have_log = {
        (r.card_id, r.reviewed_at)
        for r in session.execute(select(store.ReviewLog.card_id, store.ReviewLog.reviewed_at))
    }
    for i, row in enumerate(document["review_log"]):
        where = f"{source}: review_log[{i}]"
        card_id = ensure_card(row.get("card_id"), where)
        at = store.to_millis(_parse_time(row.get("reviewed_at"), where))  # as the log keeps it
        if (card_id, at) in have_log:
            counts["skipped"] += 1
            continue
        log = store.ReviewLog(
            card_id=card_id,
            rating=int(row["rating"]),
            reviewed_at=at,
            duration_ms=row.get("duration_ms"),
            kind=str(row.get("kind", "review")),
            scheduled_days=row.get("scheduled_days"),
        )
        session.add(log)
        answer = row.get("answer")
        if answer is not None:
            if not isinstance(answer, dict) or not isinstance(answer.get("text"), str):
                raise UsageError(f"{where}: `answer` must be an object with a `text`")
            session.flush()  # the answer row names its review's id
            session.add(store.AnswerRow(review_log_id=log.id, **{f: answer.get(f) for f in ANSWER_FIELDS}))
        have_log.add((card_id, at))
        counts["review_log"] += 1
    have_state = set(session.scalars(select(store.CardState.card_id)))
    for i, row in enumerate(document["card_states"]):
        where = f"{source}: card_states[{i}]"
        card_id = ensure_card(row.get("card_id"), where)
        if card_id in have_state:
            counts["skipped"] += 1
            continue
        session.add(
            store.CardState(
                card_id=card_id,
                state=int(row["state"]),
                step=row.get("step"),
                stability=row.get("stability"),
                difficulty=row.get("difficulty"),
                due=_parse_time(row.get("due"), where),
                last_review=_parse_time(row.get("last_review"), where),
            )
        )
        have_state.add(card_id)
        counts["card_states"] += 1
    for i, row in enumerate(document["card_flags"]):
        card_id = ensure_card(row.get("card_id"), f"{source}: card_flags[{i}]")
        store.set_suspended(session, card_id, bool(row.get("suspended")), leech=bool(row.get("leech")))
    have_attempt = {
        (a.card_id, a.attempted_at) for a in session.execute(select(store.Attempt.card_id, store.Attempt.attempted_at))
    }
    for i, row in enumerate(document["attempts"]):
        where = f"{source}: attempts[{i}]"
        card_id = ensure_card(row.get("card_id"), where)
        at = _parse_time(row.get("attempted_at"), where)
        if (card_id, at) in have_attempt:
            counts["skipped"] += 1
            continue
        session.add(
            store.Attempt(
                card_id=card_id,
                attempted_at=at,
                device=str(row.get("device", "cpu")),
                passed=bool(row["passed"]),
                gave_up=bool(row.get("gave_up")),
                duration_s=float(row.get("duration_s", 0.0)),
                seed=row.get("seed"),
                checks=row.get("checks") or [],
                source=str(row.get("source", "")),
            )
        )
        have_attempt.add((card_id, at))
        counts["attempts"] += 1
    have_interview = set(session.scalars(select(store.InterviewRow.started_at)))
    for i, row in enumerate(document.get("interviews", [])):  # absent from histories exported before 0.2
        where = f"{source}: interviews[{i}]"
        started = _parse_time(row.get("started_at"), where)
        if started in have_interview:
            counts["skipped"] += 1
            continue
        session.add(
            store.InterviewRow(
                started_at=started,
                finished_at=_parse_time(row.get("finished_at"), where) or started,
                minutes=int(row.get("minutes", 0)),
                score=row.get("score"),
                report=row.get("report") or {},
            )
        )
        have_interview.add(started)
        counts["interviews"] += 1
    session.flush()
    store.rebuild_review_slots(session.connection())
    return counts
