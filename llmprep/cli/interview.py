"""`llmprep interview`: a timed mock technical round, typed answers, coding in the editor, and a report."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from llmprep import answers, clock, scheduler
from llmprep import interview as core
from llmprep.cli import render
from llmprep.cli import typed as typed_input
from llmprep.console import out
from llmprep.errors import UsageError
from llmprep.keys import KeyReader
from llmprep.messages import rating_name, t
from llmprep.workspace import Workspace

BAR_CELLS = 10


def register(app: typer.Typer) -> None:
    app.command("interview")(interview)


def interview(
    ctx: typer.Context,
    minutes: int = typer.Option(45, "--minutes", min=5, max=240, metavar="N", help="Length of the round."),
    deck: list[str] | None = typer.Option(None, "--deck", "-d", metavar="DECK", help="Only these decks (repeatable)."),
    tag: list[str] | None = typer.Option(
        None, "--tag", "-t", metavar="TAG", help="Only cards with one of these tags (repeatable)."
    ),
    coding: int = typer.Option(1, "--coding", min=0, max=5, metavar="N", help="Coding cards at the end (0: none)."),
    lang: str | None = typer.Option(None, "--lang", metavar="LANG", help="zh or en (default from config)."),
    seed: int | None = typer.Option(None, "--seed", metavar="S", help="Replay the choice of questions of a round."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as one JSON document (screens on stderr)."),
    yes: bool = typer.Option(False, "--yes", help="Apply each suggested rating without asking."),
    show_history: bool = typer.Option(False, "--history", help="List past interviews and their scores."),
) -> None:
    """A mock technical round: warm-up questions, follow-ups on the same topic, then coding; typed answers are
    checked against each card's key points, rated into the schedule, and summed up in a report."""
    from llmprep.cli.study import check_known

    ws: Workspace = ctx.obj
    language = ws.language(lang)
    if show_history:
        _history(ws, language, as_json)
        return
    ws.require_writable()  # every answer is saved as it is given
    check_known("deck", deck or [], {d.id for d in ws.decks})
    check_known("tag", tag or [], {t for card in ws.cards.values() for t in card.tags})
    filters = scheduler.Filters(tuple(deck or ()), tuple(tag or ()))
    started = clock.now()
    plan = core.plan(ws.engine, ws.config, ws.cards.values(), filters, minutes, coding, seed, started)
    if not any(q.stage != "coding" for q in plan.questions):
        raise UsageError("no cards with key points (`points`) in this scope: widen --deck/--tag")
    results: list[core.Result] = []
    with _screens_on_stderr(as_json):
        ended = "completed"
        try:
            ended = _run(ws, plan, results, language, KeyReader(), yes, started)
        except KeyboardInterrupt:
            ended = "interrupted"
            out.print("\n" + t("interview.interrupted", language))
        finished = clock.now()
        document = core.report(plan, results, ws.cards, language, started, finished, ended)
        document = core.save(ws.engine, document, started, finished)
        if not as_json:
            _report(document, language)
    if as_json:
        print(json.dumps(document, ensure_ascii=False))
    if ended == "interrupted":
        raise typer.Exit(130)


@contextmanager
def _screens_on_stderr(active: bool) -> Iterator[None]:
    """With --json, stdout holds only the report: the question screens (and the editor loop's) go to stderr."""
    if not active:
        yield
        return
    saved = out.file
    out.file = sys.stderr
    try:
        yield
    finally:
        out.file = saved


def _run(
    ws: Workspace,
    plan: core.Plan,
    results: list[core.Result],
    lang: str,
    keys: KeyReader,
    yes: bool,
    started: datetime,
) -> str:
    """Ask the questions in turn; each answer is rated (committed) as soon as it is given. Returns how it ended."""
    reviewer = scheduler.Reviewer(ws.engine, ws.config)
    total = len(plan.questions)
    for n, question in enumerate(plan.questions, 1):
        card = ws.cards[question.card_id]
        now = clock.now()
        show_countdown(out, countdown(plan.minutes * 60, (now - started).total_seconds(), n, total, question, 0, lang))
        stage = t(f"interview.stage.{question.stage}", lang)
        out.print(
            Panel(
                render.markdown(card.text("q", lang), ws.config.code_theme),
                title=f"{n}/{total} · {stage} · {card.deck} · {card.id}",
                title_align="left",
                border_style="blue",
            )
        )
        asked = clock.now()
        if question.stage == "coding":
            from llmprep.cli import code

            code.practice(ws, card, "auto", "float32", None, lang, keys, budget_s=question.budget_s)
            verdict = core.coding_verdict(ws.engine, card.id, asked)
            results.append(core.Result(question, (clock.now() - asked).total_seconds(), verdict=verdict))
            continue
        text = typed_input.read_answer(ws, keys, lang)
        if text is None:
            return "quit"
        seconds = (clock.now() - asked).total_seconds()
        checked = answers.check(card, text, seconds, question.budget_s)
        result = core.Result(question, seconds, checked)
        results.append(result)  # in the report even when the rating is not confirmed (q, Ctrl-C)
        render.answer(card, lang, theme=ws.config.code_theme)
        typed_input.show_check(card, checked, lang)
        show_countdown(
            out,
            countdown(plan.minutes * 60, (clock.now() - started).total_seconds(), n, total, question, seconds, lang),
        )
        rating = checked.suggested if yes and checked.suggested is not None else _confirm(keys, checked, lang)
        if rating is None:
            return "quit"
        rated_at = clock.now()
        try:
            reviewer.rate(
                card.id,
                reviewer.outcomes(card.id, rated_at)[rating],
                rated_at,
                int(seconds * 1000),
                answer=checked.stored(),
            )
            result.rating = rating
            out.print(t("interview.recorded", lang, rating=rating_name(rating, lang)))
        except scheduler.StaleCard:  # rated in another session meanwhile: nothing written
            out.print(t("study.rated_elsewhere", lang, card=card.id))
    return "completed"


def _confirm(keys: KeyReader, checked: answers.Checked, lang: str) -> int | None:
    """Enter takes the suggestion, 1-4 (Space: Good) rate otherwise, q ends the interview (None)."""
    out.print(t("interview.rate_prompt", lang))
    while True:
        key = keys.read()
        if key == "" and checked.suggested is not None:
            return checked.suggested
        if key in ("1", "2", "3", "4"):
            return int(key)
        if key == " ":
            return 3
        if key == "q":
            return None
        out.print(t("interview.rate_prompt", lang))


def _mmss(seconds: float) -> str:
    minutes, secs = divmod(int(abs(seconds)), 60)
    return f"{minutes}:{secs:02d}"


def countdown(
    total_s: float, elapsed_s: float, n: int, of: int, question: core.Question, spent_s: float, lang: str
) -> tuple[str, float]:
    """The status line: time left of the round and of this question (going over is shown, not blocked).
    Returns the text and the share of the round left (for the bar)."""
    left = total_s - elapsed_s
    if left >= 0:
        whole = t("interview.left", lang, left=_mmss(left), total=_mmss(total_s))
    else:
        whole = t("interview.over", lang, over=_mmss(left), total=_mmss(total_s))
    q_left = question.budget_s - spent_s
    stage = t(f"interview.stage.{question.stage}", lang)
    if q_left >= 0:
        this = t("interview.q_left", lang, n=n, of=of, stage=stage, left=_mmss(q_left))
    else:
        this = t("interview.q_over", lang, n=n, of=of, stage=stage, over=_mmss(q_left))
    return f"{whole} · {this}", max(0.0, left / total_s) if total_s else 0.0


def show_countdown(console: Console, line: tuple[str, float]) -> None:
    """Styled with a bar on a colour terminal (fitting its width); one plain line without a TTY or with NO_COLOR."""
    text, share = line
    if not console.is_terminal or console.no_color:
        console.print(text, markup=False, highlight=False, soft_wrap=True)
        return
    full = round(share * BAR_CELLS)
    bar = "█" * full + "░" * (BAR_CELLS - full)
    style = "yellow" if share > 0 else "bold red"
    if cell_len(text) + BAR_CELLS + 1 > console.width:  # a narrow terminal: no bar, the text stays one line
        console.print(f"[{style}]{escape(text)}[/]", highlight=False)
        return
    console.print(f"[{style}]{bar}[/] [{style}]{escape(text)}[/]", highlight=False)


def _report(document: dict[str, Any], lang: str) -> None:
    """Per question: time, points made and missed (spelled out), coding verdicts; then score and what to work on."""
    table = Table(title=t("interview.report_title", lang), show_lines=False)
    for column in ("n", "stage", "card", "time", "result"):
        table.add_column(t(f"interview.col_{column}", lang), overflow="fold")
    for q in document["questions"]:
        time = f"{_mmss(q['time_s'])}/{_mmss(q['budget_s'])}"
        if q["over_budget"]:
            time = f"[yellow]{time}[/]"
        if q["stage"] == "coding":
            verdict = q["verdict"]
            if verdict is None:
                result = t("interview.not_graded", lang)
            else:
                status = t("code.status.pass" if verdict["passed"] else "code.status.fail", lang)
                result = f"{status} ({verdict['checks_passed']}/{verdict['checks_total']})"
        else:
            result = t("interview.points", lang, hit=q["points_hit"], total=q["points_total"])
            if q["rating"] is not None:
                result += f" · {rating_name(q['rating'], lang)}"
        stage = t(f"interview.stage.{q['stage']}", lang)
        table.add_row(str(q["n"]), stage, q["card"], time, result)
    out.print(table)
    for q in document["questions"]:
        for point in q["missed"]:
            out.print(t("interview.missed", lang, n=q["n"], point=escape(point)))
    score = "—" if document["score"] is None else f"{document['score']:.1f}"
    elapsed = _mmss(document["elapsed_s"])
    out.print(
        t(
            "interview.score",
            lang,
            score=score,
            answered=document["answered"],
            planned=document["planned"],
            elapsed=elapsed,
            minutes=document["minutes"],
        )
    )
    if document["work_on"]:
        topics = ", ".join(f"{w['topic']} ({w['score']:.0f})" for w in document["work_on"])
        out.print(t("interview.work_on", lang, topics=escape(topics)))
    out.print(t("interview.saved", lang, id=document["id"], seed=document["seed"]), soft_wrap=lang == "zh")


def _history(ws: Workspace, lang: str, as_json: bool) -> None:
    rows = core.history(ws.engine)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        out.print(t("interview.no_history", lang))
        return
    table = Table(title=t("interview.history_title", lang))
    for column in ("id", "date", "minutes", "answered", "score", "work_on"):
        table.add_column(t(f"interview.col_{column}", lang), overflow="fold")
    for row in rows:
        when = datetime.fromisoformat(row["started_at"]).astimezone()
        table.add_row(
            str(row["id"]),
            f"{when:%Y-%m-%d %H:%M}",
            str(row["minutes"]),
            f"{row['answered']}/{row['planned']}",
            "—" if row["score"] is None else f"{row['score']:.1f}",
            ", ".join(row["work_on"]),
        )
    out.print(table)
