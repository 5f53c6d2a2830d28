"""`llmprep study`: the daily drill."""

from __future__ import annotations

import os
import secrets
import subprocess
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

import typer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from llmprep import answers, clock, scheduler
from llmprep.cli import render
from llmprep.cli import typed as typed_input
from llmprep.console import out
from llmprep.decks import Card
from llmprep.errors import UsageError
from llmprep.keys import KeyReader
from llmprep.messages import rating_name, t
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
    deck: list[str] | None = typer.Option(None, "--deck", "-d", metavar="DECK", help="Only these decks (repeatable)."),
    tag: list[str] | None = typer.Option(
        None, "--tag", "-t", metavar="TAG", help="Only cards with one of these tags (repeatable)."
    ),
    new: int | None = typer.Option(
        None, "--new", min=0, metavar="N", help="New cards per day (default from config: 20)."
    ),
    limit: int | None = typer.Option(
        None, "--limit", min=0, metavar="N", help="Reviews per day (default from config: 200)."
    ),
    lang: str | None = typer.Option(
        None, "--lang", metavar="LANG", help="zh or en (default from config, then the locale)."
    ),
    cram: bool = typer.Option(
        False, "--cram", help="Study cards that are not due, weakest first; the schedule is untouched."
    ),
    typed: bool | None = typer.Option(
        None,
        "--type/--no-type",
        help="Type each answer; it is checked against the card's key points (default from config type_answers).",
    ),
) -> None:
    """Study due cards: reveal the answer, rate 1 Again, 2 Hard, 3 Good, 4 Easy (u undo, s suspend, q quit)."""
    ws: Workspace = ctx.obj
    ws.require_writable()  # every rating is saved at once: a read-only database is refused before the first card
    cfg = ws.config
    language = ws.language(lang)
    if deck or tag:
        known_decks, known_tags = ws.names()
        check_known("deck", deck or [], known_decks)
        check_known("tag", tag or [], known_tags)
    filters = scheduler.Filters(tuple(deck or ()), tuple(tag or ()))
    limits = scheduler.Limits(cfg.new_per_day if new is None else new, cfg.reviews_per_day if limit is None else limit)
    reviewer = scheduler.Reviewer(ws.engine, cfg)
    keys = KeyReader()
    summary = Summary()
    try:
        if cram:
            _cram(ws, reviewer, filters, language, keys, summary)
        else:
            _drill(ws, reviewer, filters, limits, language, keys, summary, cfg.type_answers if typed is None else typed)
    except KeyboardInterrupt:
        out.print("\n" + t("study.interrupted", language))
        _summary(ws, summary, cram, language)
        raise typer.Exit(130) from None
    _summary(ws, summary, cram, language)


def check_known(what: str, names: list[str], known: set[str]) -> None:
    """An unknown --deck or --tag is an error naming the closest known ones, never an empty session."""
    import difflib

    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=3, cutoff=0.5)
            if close:
                hint = f"did you mean {', '.join(f'`{c}`' for c in close)}?"
            else:
                hint = f"known {what}s include {', '.join(sorted(known)[:8])}"
            raise UsageError(f"no {what} `{name}`; {hint}")


def _drill(
    ws: Workspace,
    reviewer: scheduler.Reviewer,
    filters: scheduler.Filters,
    limits: scheduler.Limits,
    lang: str,
    keys: KeyReader,
    summary: Summary,
    typed: bool = False,
) -> None:
    token = f"{os.getpid()}-{secrets.token_hex(4)}"  # this session, for the cards it is showing
    try:
        _drill_cards(ws, reviewer, filters, limits, lang, keys, summary, token, typed)
    finally:
        scheduler.release(ws.engine, token, clock.now())


def _drill_cards(
    ws: Workspace,
    reviewer: scheduler.Reviewer,
    filters: scheduler.Filters,
    limits: scheduler.Limits,
    lang: str,
    keys: KeyReader,
    summary: Summary,
    token: str,
    typed: bool = False,
) -> None:
    history: list[scheduler.Action] = []
    redo: str | None = None
    day_starts_at = ws.config.day_starts_at
    while True:
        now = clock.now()
        with Session(ws.engine) as session:
            away = scheduler.buried(session, now) | scheduler.shown_elsewhere(session, token, now)
            card_id = redo or scheduler.next_card(
                session, now, filters, limits, day_starts_at, away, ws.config.new_order
            )
            counts = scheduler.remaining(session, now, filters, limits, day_starts_at, away)
        redo = None
        if card_id is not None and not scheduler.claim(ws.engine, card_id, token, now):
            continue  # another session took it a moment ago: pick again
        if card_id is None:
            if history:
                out.print(t("study.all_done_undo", lang))
                if keys.read() == "u":
                    redo = _undo(reviewer, history, summary, lang)
                    continue
            _end_of_day(ws, filters, bool(history), lang)
            return
        card = ws.card(card_id)
        summary.seen.add(card_id)
        render.status(*counts, seconds=time.monotonic() - summary.started, lang=lang)
        shown_at = time.monotonic()
        render.question(card, lang, theme=ws.config.code_theme)
        if card.kind == "code":
            if _coding_card(ws, reviewer, card, lang, keys, history) == "q":
                return
            continue
        checked = None
        if typed:  # the answer is typed instead of revealed with a key
            asked = clock.now()
            text = typed_input.read_answer(ws, keys, lang)
            if text is None:
                return
            checked = answers.check(card, text, (clock.now() - asked).total_seconds())
        else:
            render.reveal_prompt(lang)
            key = keys.read()
            while key not in ("", " ", "q", "s", "b", "e") and not (key == "u" and history):
                key = keys.read()
            if key == "q":
                return
            if key in ("s", "b", "u"):
                redo = _act(key, reviewer, card_id, now, history, summary, lang)
                continue
            if key == "e":
                _edit_card(ws, card, lang)
                redo = card_id
                continue
        revealed = clock.now()
        outcomes = reviewer.outcomes(card_id, revealed)
        render.answer(card, lang, theme=ws.config.code_theme)
        suggested = None if checked is None else checked.suggested
        if checked is not None:
            typed_input.show_check(card, checked, lang)
        render.buttons({r: o.interval(revealed) for r, o in outcomes.items()}, can_undo=bool(history), lang=lang)
        while True:
            key = keys.read()
            if key == "" and suggested is not None:  # Enter takes the suggestion
                key = str(suggested)
            if key in ("1", "2", "3", "4", " ", "q", "s", "b", "e") or (key == "u" and history):
                break
            out.print(t("study.rate_help", lang))
        if key == "q":
            return
        if key in ("s", "b", "u"):
            redo = _act(key, reviewer, card_id, now, history, summary, lang)
            continue
        if key == "e":
            _edit_card(ws, card, lang)
            redo = card_id
            continue
        rating = 3 if key == " " else int(key)
        rated_at = clock.now()  # the moment of the key press, not of the question
        if rated_at != revealed:
            shown = render.interval(outcomes[rating].interval(revealed))
            prior = outcomes[rating].prior
            outcomes = reviewer.outcomes(card_id, rated_at)
            if outcomes[rating].prior != prior:  # rated elsewhere while the answer was open: this rating was for
                outcomes[rating] = replace(outcomes[rating], prior=prior)  # the state shown; rate() refuses it
            if render.interval(outcomes[rating].interval(rated_at)) != shown:
                out.print(t("study.interval_updated", lang, open=render.interval(rated_at - revealed, lang)))
        try:
            recorded = reviewer.rate(
                card_id,
                outcomes[rating],
                rated_at,
                int((time.monotonic() - shown_at) * 1000),
                answer=None if checked is None else checked.stored(),
            )
        except scheduler.StaleCard:  # rated in another session meanwhile: nothing written, shown again
            out.print(t("study.rated_elsewhere", lang, card=card_id))
            redo = card_id
            continue
        history.append(recorded)
        summary.ratings[rating] += 1
        out.print(
            t(
                "study.recorded",
                lang,
                rating=rating_name(rating, lang),
                interval=render.interval(outcomes[rating].interval(rated_at), lang),
            )
        )
        if recorded.leech:
            summary.leeches.append(card_id)
            out.print(
                t("study.leech", lang, card=card_id, lapses=scheduler.LEECH_LAPSES), soft_wrap=_keeps_commands(lang)
            )


def _act(
    key: str,
    reviewer: scheduler.Reviewer,
    card_id: str,
    now: datetime,
    history: list[scheduler.Action],
    summary: Summary,
    lang: str,
) -> str | None:
    """s suspend, b bury, u undo; returns the card to show again after an undo."""
    if key == "u":
        return _undo(reviewer, history, summary, lang)
    if key == "s":
        history.append(reviewer.suspend(card_id))
        out.print(t("study.suspended", lang, card=card_id))
    else:
        history.append(reviewer.bury(card_id, now))
        out.print(t("study.buried", lang, card=card_id))
    return None


def _keeps_commands(lang: str) -> bool:
    """soft_wrap for a line that holds a command: a zh line has few spaces, so rich would break it at the command's
    own spaces; the terminal wraps it instead and the command stays whole. en keeps its word-wrapped layout."""
    return lang == "zh"


def _coding_card(
    ws: Workspace,
    reviewer: scheduler.Reviewer,
    card: Card,
    lang: str,
    keys: KeyReader,
    history: list[scheduler.Action],
) -> str:
    """A coding card in the drill: write it now, or put it away until tomorrow."""
    out.print(t("study.coding_prompt", lang, grader=card.grader), soft_wrap=_keeps_commands(lang))
    key = keys.read()
    if key == "q":
        return "q"
    if key == "c":
        from llmprep.cli import code

        code.practice(ws, card, "auto", "float32", None, lang, keys)
        return "c"
    if key == "s":
        history.append(reviewer.suspend(card.id))
        out.print(t("study.suspended", lang, card=card.id))
        return "s"
    history.append(reviewer.bury(card.id, clock.now()))  # not first in every later session: back tomorrow
    out.print(t("study.skipped", lang, card=card.id))
    return ""


def _edit_card(ws: Workspace, card: Card, lang: str) -> None:
    """`e`: the card's YAML at its line in the editor (user decks); built-in decks only say where it is."""
    from llmprep import paths

    where = f"{card.file}:{card.line}"
    if Path(card.file).resolve().is_relative_to(paths.builtin_decks().resolve()):
        out.print(t("study.builtin_card", lang, where=where))
        return
    from llmprep.cli.code import editor_command

    try:
        subprocess.run([*editor_command(ws), f"+{card.line}", card.file], check=False)
    except FileNotFoundError:
        out.print(t("study.no_editor", lang, where=where))
        return
    out.print(t("study.edited", lang, where=where))


def _end_of_day(ws: Workspace, filters: scheduler.Filters, studied_now: bool, lang: str) -> None:
    """Not a table of zeros: when the next card is due, tomorrow's load, and what else could be studied."""
    now = clock.now()
    with Session(ws.engine) as session:
        outlook = scheduler.outlook(session, now, filters, ws.config.day_starts_at)
    lead = t("study.done_today" if studied_now else "study.nothing_due", lang)
    if outlook.next_due is not None:
        local = outlook.next_due.astimezone()
        when = f"{t(f'weekday.{local.weekday()}', lang)} {local:%H:%M}"
        lead += t(
            "study.next_due",
            lang,
            interval=render.interval(outlook.next_due - now, lang),
            when=when,
            tomorrow=outlook.due_tomorrow,
        )
    out.print(f"[green]{lead}[/]", soft_wrap=True)
    scope = "".join(f" --deck {d}" for d in filters.decks) + "".join(f" --tag {tag}" for tag in filters.tags)
    if outlook.new_left:
        more = min(outlook.new_left, ws.config.new_per_day or 10)
        command = f"llmprep study{scope} --new {more}"
        out.print(t("study.new_waiting", lang, count=outlook.new_left, command=command), soft_wrap=True)
    if outlook.studied:
        out.print(t("study.cram_hint", lang, command=f"llmprep study{scope} --cram"), soft_wrap=True)


def _undo(reviewer: scheduler.Reviewer, history: list[scheduler.Action], summary: Summary, lang: str) -> str:
    last = history.pop()
    reviewer.undo_action(last)
    if isinstance(last, scheduler.Recorded):
        summary.ratings[last.rating] -= 1
        if last.card_id in summary.leeches:
            summary.leeches.remove(last.card_id)
        out.print(t("study.undid_rating", lang, rating=rating_name(last.rating, lang), card=last.card_id))
    else:
        key = "study.undid_suspend" if isinstance(last, scheduler.Suspended) else "study.undid_bury"
        out.print(t(key, lang, card=last.card_id))
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
    history: list[scheduler.Action] = []
    index = 0
    while index < len(queue):
        card = ws.card(queue[index])
        if card.kind == "code":
            index += 1
            continue
        summary.seen.add(card.id)
        shown_at = time.monotonic()
        render.question(card, lang, cram=True, theme=ws.config.code_theme)
        render.reveal_prompt(lang)
        key = keys.read()
        if key == "q":
            return
        render.answer(card, lang, theme=ws.config.code_theme)
        render.buttons(None, can_undo=bool(history), lang=lang)
        while (key := keys.read()) not in ("1", "2", "3", "4", "q", "u"):
            out.print(t("study.cram_rate_help", lang))
        if key == "q":
            return
        if key == "u":
            if history:
                _undo(reviewer, history, summary, lang)
                index -= 1
            continue
        rating = int(key)
        history.append(reviewer.log_cram(card.id, rating, clock.now(), int((time.monotonic() - shown_at) * 1000)))
        summary.ratings[rating] += 1
        index += 1
    out.print(t("study.cram_finished", lang))


def _summary(ws: Workspace, summary: Summary, cram: bool, lang: str) -> None:
    if not summary.seen:  # nothing studied: the end-of-day lines said it all, no table of zeros
        return
    now = clock.now()
    tomorrow_end = clock.day_start(
        clock.local_day(now, ws.config.day_starts_at) + timedelta(days=2), ws.config.day_starts_at
    )
    with Session(ws.engine) as session:
        due_tomorrow = session.scalar(select(func.count()).where(CardState.due < tomorrow_end)) or 0
    render.summary(
        seen=len(summary.seen),
        ratings=summary.ratings,
        seconds=time.monotonic() - summary.started,
        due_tomorrow=due_tomorrow,
        leeches=summary.leeches,
        cram=cram,
        lang=lang,
    )
