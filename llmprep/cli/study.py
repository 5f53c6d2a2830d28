"""`llmprep study`: the daily drill."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import timedelta

import typer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from llmprep import clock, scheduler
from llmprep.cli import render
from llmprep.console import out
from llmprep.errors import UsageError
from llmprep.keys import KeyReader
from llmprep.store import CardState
from llmprep.workspace import Workspace


@dataclass
class Summary:
    started: float = field(default_factory=time.monotonic)
    seen: set[str] = field(default_factory=set)
    ratings: dict[int, int] = field(default_factory=lambda: dict.fromkeys(scheduler.RATING_NAMES, 0))
    leeches: list[str] = field(default_factory=list)


def register(app: typer.Typer) -> None:
    app.command()(study)


def study(
    ctx: typer.Context,
    deck: list[str] | None = typer.Option(None, "--deck", "-d", help="Only these decks (repeatable)."),
    tag: list[str] | None = typer.Option(None, "--tag", "-t", help="Only cards with one of these tags (repeatable)."),
    new: int | None = typer.Option(None, "--new", min=0, help="New cards per day (default from config: 20)."),
    limit: int | None = typer.Option(None, "--limit", min=0, help="Reviews per day (default from config: 200)."),
    lang: str | None = typer.Option(None, "--lang", help="zh or en (default from config, then the locale)."),
    cram: bool = typer.Option(
        False, "--cram", help="Study cards that are not due, weakest first; the schedule is untouched."
    ),
) -> None:
    """Study due cards: reveal the answer, rate 1 Again, 2 Hard, 3 Good, 4 Easy (u undo, s suspend, q quit)."""
    ws: Workspace = ctx.obj
    cfg = ws.config
    language = lang or cfg.language()
    if language not in ("zh", "en"):
        raise UsageError(f"--lang must be zh or en, got {language!r}")
    known_decks = {d.id for d in ws.decks}
    for name in deck or []:
        if name not in known_decks:
            raise UsageError(f"no deck `{name}`; `llmprep decks` lists them")
    filters = scheduler.Filters(tuple(deck or ()), tuple(tag or ()))
    limits = scheduler.Limits(cfg.new_per_day if new is None else new, cfg.reviews_per_day if limit is None else limit)
    reviewer = scheduler.Reviewer(ws.engine, cfg)
    keys = KeyReader()
    summary = Summary()
    try:
        if cram:
            _cram(ws, reviewer, filters, language, keys, summary)
        else:
            _drill(ws, reviewer, filters, limits, language, keys, summary)
    except KeyboardInterrupt:
        out.print("\n[dim]interrupted — every rating shown as recorded is saved[/]")
        _summary(ws, summary, cram)
        raise typer.Exit(130) from None
    _summary(ws, summary, cram)


def _drill(
    ws: Workspace,
    reviewer: scheduler.Reviewer,
    filters: scheduler.Filters,
    limits: scheduler.Limits,
    lang: str,
    keys: KeyReader,
    summary: Summary,
) -> None:
    history: list[scheduler.Recorded] = []
    skipped: set[str] = set()  # coding cards passed over in this session
    redo: str | None = None
    while True:
        now = clock.now()
        with Session(ws.engine) as session:
            card_id = redo or scheduler.next_card(session, now, filters, limits, ws.config.day_starts_at, skipped)
        redo = None
        if card_id is None:
            if not history:
                out.print("[green]Nothing is due now.[/]")
                return
            out.print("[green]Nothing more is due. Well done.[/] [dim](u: undo the last rating · Enter: finish)[/]")
            if keys.read() != "u":
                return
            redo = _undo(reviewer, history, summary)
            continue
        card = ws.cards[card_id]
        summary.seen.add(card_id)
        shown_at = time.monotonic()
        render.question(card, lang)
        if card.kind == "code":
            out.print(
                f"This is a coding card: run [bold]llmprep code {card.grader}[/] to write and grade it. "
                "[dim](Enter: skip · s: suspend · q: quit)[/]"
            )
            key = keys.read()
            if key == "q":
                return
            if key == "s":
                reviewer.suspend(card_id)
            skipped.add(card_id)
            continue
        render.reveal_prompt()
        key = keys.read()
        if key == "q":
            return
        if key == "u" and history:
            redo = _undo(reviewer, history, summary)
            continue
        outcomes = reviewer.outcomes(card_id, now)
        render.answer(card, lang)
        render.buttons({r: o.interval(now) for r, o in outcomes.items()}, can_undo=bool(history))
        while True:
            key = keys.read()
            if key in ("1", "2", "3", "4", "q", "s") or (key == "u" and history):
                break
            out.print("[dim]press 1-4 to rate, u to undo, s to suspend, q to quit[/]")
        if key == "q":
            return
        if key == "s":
            reviewer.suspend(card_id)
            out.print(f"[yellow]suspended {card_id}[/]")
            continue
        if key == "u":
            redo = _undo(reviewer, history, summary)
            continue
        rating = int(key)
        recorded = reviewer.rate(card_id, outcomes[rating], now, int((time.monotonic() - shown_at) * 1000))
        history.append(recorded)
        summary.ratings[rating] += 1
        out.print(
            f"[dim]recorded {scheduler.RATING_NAMES[rating]} · next in "
            f"{render.interval(outcomes[rating].interval(now))}[/]"
        )
        if recorded.leech:
            summary.leeches.append(card_id)
            out.print(
                f"[bold yellow]{card_id} is a leech (Again {scheduler.LEECH_LAPSES} times) and is now "
                "suspended.[/] Rewrite the card in your own words, then `llmprep decks unsuspend "
                f"{card_id}`."
            )


def _undo(reviewer: scheduler.Reviewer, history: list[scheduler.Recorded], summary: Summary) -> str:
    last = history.pop()
    reviewer.undo(last)
    summary.ratings[last.rating] -= 1
    if last.card_id in summary.leeches:
        summary.leeches.remove(last.card_id)
    out.print(f"[yellow]undid {scheduler.RATING_NAMES[last.rating]} on {last.card_id}[/]")
    return last.card_id


def _cram(
    ws: Workspace,
    reviewer: scheduler.Reviewer,
    filters: scheduler.Filters,
    lang: str,
    keys: KeyReader,
    summary: Summary,
) -> None:
    with Session(ws.engine) as session:
        queue = scheduler.cram_queue(session, ws.config, clock.now(), filters, limit=200)
    history: list[scheduler.Recorded] = []
    index = 0
    while index < len(queue):
        card = ws.cards[queue[index]]
        if card.kind == "code":
            index += 1
            continue
        summary.seen.add(card.id)
        shown_at = time.monotonic()
        render.question(card, lang, cram=True)
        render.reveal_prompt()
        key = keys.read()
        if key == "q":
            return
        render.answer(card, lang)
        render.buttons(None, can_undo=bool(history))
        while (key := keys.read()) not in ("1", "2", "3", "4", "q", "u"):
            out.print("[dim]press 1-4 to rate, u to undo, q to quit[/]")
        if key == "q":
            return
        if key == "u":
            if history:
                _undo(reviewer, history, summary)
                index -= 1
            continue
        rating = int(key)
        history.append(reviewer.log_cram(card.id, rating, clock.now(), int((time.monotonic() - shown_at) * 1000)))
        summary.ratings[rating] += 1
        index += 1
    out.print("[green]Cram queue finished.[/]")


def _summary(ws: Workspace, summary: Summary, cram: bool) -> None:
    now = clock.now()
    tomorrow_end = clock.day_start(
        clock.local_day(now, ws.config.day_starts_at) + timedelta(days=2), ws.config.day_starts_at
    )
    with Session(ws.engine) as session:
        due_tomorrow = session.scalar(select(func.count()).where(CardState.due < tomorrow_end)) or 0
    render.summary(
        seen=len(summary.seen),
        ratings={scheduler.RATING_NAMES[r]: n for r, n in summary.ratings.items()},
        seconds=time.monotonic() - summary.started,
        due_tomorrow=due_tomorrow,
        leeches=summary.leeches,
        cram=cram,
    )
