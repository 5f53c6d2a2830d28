"""`llmprep code`: hand-write a coding card in your editor and have it graded by hidden checks."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import typer
from rich.markup import escape
from rich.syntax import Syntax
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from llmprep import clock, paths
from llmprep.cli import render
from llmprep.console import out
from llmprep.decks import Card
from llmprep.errors import ExitCode, LlmprepError, UsageError
from llmprep.keys import KeyReader
from llmprep.messages import MESSAGES, rating_name, t
from llmprep.workspace import Workspace

STATUS_STYLE = {
    "pass": "green",
    "fail": "red",
    "error": "red",
    "timeout": "magenta",
    "memory": "magenta",
    "crash": "magenta",
    "banned": "yellow",
}


def register(app: typer.Typer) -> None:
    app.command("code")(code)


MAX_SUBMISSION_BYTES = 1 << 20
DURATION = re.compile(r"^(card|\d+(?:\.\d+)?[smh]?)$")  # `20m`, `90s`, `1h`, `15` (minutes), `card`


def parse_duration(text: str, card_minutes: int) -> float:
    """Seconds of a `--timed` budget; `card` is the card's own budget."""
    if not DURATION.match(text):
        raise UsageError(
            f"--timed takes a duration such as 20m, 90s or 1h (or nothing: the card's budget), got {text!r}"
        )
    if text == "card":
        return card_minutes * 60.0
    unit = text[-1] if text[-1] in "smh" else "m"
    value = float(text.rstrip("smh"))
    if value <= 0:
        raise UsageError("--timed needs a duration above zero")
    return value * {"s": 1, "m": 60, "h": 3600}[unit]


def code(
    ctx: typer.Context,
    card: str | None = typer.Argument(
        None, metavar="CARD", help="Coding card (grader name such as `mha`, or the card id)."
    ),
    file: Path | None = typer.Option(
        None, "--file", "-f", metavar="PATH", help="Grade this file instead of opening an editor."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print only the verdict as JSON."),
    device: str = typer.Option("auto", "--device", metavar="DEVICE", help="auto (CUDA when available), cpu or cuda."),
    dtype: str = typer.Option("float32", "--dtype", metavar="DTYPE", help="float32, or bfloat16 on CUDA."),
    seed: int | None = typer.Option(None, "--seed", metavar="N", help="Replay the random inputs of an earlier run."),
    lang: str | None = typer.Option(None, "--lang", metavar="LANG", help="zh or en for the task text."),
    timed: str | None = typer.Option(
        None, "--timed", metavar="[DURATION]", help="A timed attempt (20m, 90s; alone: the card's own budget)."
    ),
) -> None:
    """List coding cards, or write one in $EDITOR (or --file) and grade it. Exit 0: all checks pass; 1: not."""
    ws: Workspace = ctx.obj
    if card is None:
        _list(ws, ws.language(lang))
        return
    deck_card = _find(ws, card)
    assert deck_card.grader is not None
    ws.require_writable()  # every attempt is saved: refuse before the editor opens or torch is imported
    if dtype not in ("float32", "bfloat16"):
        raise UsageError(f"--dtype must be float32 or bfloat16, got {dtype!r}")
    if device not in ("auto", "cpu", "cuda"):
        raise UsageError(f"--device must be auto, cpu or cuda, got {device!r}")
    language = ws.language(lang)
    budget = None
    if timed is not None:
        from llmprep.grading import cardspec

        budget = parse_duration(timed, cardspec.load(deck_card.grader).minutes)
        if file is not None:
            raise UsageError("--timed is for the editor loop; --file grades once")
    if file is None:
        passed = practice(ws, deck_card, device, dtype, seed, language, KeyReader(), as_json=as_json, budget_s=budget)
        raise typer.Exit(ExitCode.OK if passed else ExitCode.FAILED)
    try:  # arguments and the file are checked before torch is imported (seconds)
        if file.is_file() and file.stat().st_size > MAX_SUBMISSION_BYTES:
            raise UsageError(
                f"{file}: {file.stat().st_size:,} bytes; a submission is at most {MAX_SUBMISSION_BYTES:,} (is it the right file?)"
            )
        source = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{file}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{file}: a directory; give the .py file to grade") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{file}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    verdict = _grade_and_record(ws, deck_card, source, device, dtype, seed, quiet=as_json, lang=language)
    if as_json:
        print(json.dumps(verdict, ensure_ascii=False))
    else:
        _report(verdict, language)
        _after(ws, deck_card, verdict, language)
    raise typer.Exit(ExitCode.OK if verdict["passed"] else ExitCode.FAILED)


def _find(ws: Workspace, name: str) -> Card:
    for candidate in ws.cards.values():
        if candidate.kind == "code" and name in (candidate.grader, candidate.id):
            return candidate
    from llmprep.grading import catalogue

    raise UsageError(f"no coding card `{name}`; known: {', '.join(catalogue.names())}")


def _grade_and_record(
    ws: Workspace,
    card: Card,
    source: str,
    device: str,
    dtype: str,
    seed: int | None,
    *,
    quiet: bool = False,
    lang: str = "en",
    session: Coaching | None = None,
) -> dict:
    from llmprep.grading import attempts, judge

    assert card.grader is not None
    progress = None if quiet else _progress_line(lang)
    try:
        verdict = judge.grade(
            card.grader, source, device=device, dtype=dtype, seed=seed, hide=(ws.data_dir,), progress=progress
        )
    finally:
        if progress is not None:
            progress(None)
    hints_used, session_s = (session.hints_used, session.elapsed()) if session else (0, None)
    attempts.record(
        ws.engine, ws.config, card.id, verdict, source, clock.now(), hints_used=hints_used, session_s=session_s
    )
    return verdict


@dataclass
class Coaching:
    """One practice session in the editor loop: hints revealed so far per check, and the clock."""

    budget_s: float | None = None
    started: float = field(default_factory=time.monotonic)
    revealed: dict[str, int] = field(default_factory=dict)  # check -> hints shown

    @property
    def hints_used(self) -> int:
        return sum(self.revealed.values())

    def elapsed(self) -> float:
        return round(time.monotonic() - self.started, 1)

    def next_hint(self, verdict: dict) -> tuple[str, int, int, str] | None:
        """(check, level, of, text) of the first failing check with a hint not shown yet; None when none is left."""
        for check in verdict["checks"]:
            levels = check.get("hints") or []
            shown = self.revealed.get(check["name"], 0)
            if check["status"] != "pass" and shown < len(levels):
                self.revealed[check["name"]] = shown + 1
                return check["name"], shown + 1, len(levels), levels[shown]
        return None


def _clock(session: Coaching, lang: str) -> str:
    elapsed = session.elapsed()
    if session.budget_s is None:
        return t("code.elapsed", lang, elapsed=_mmss(elapsed))
    left = session.budget_s - elapsed
    if left >= 0:
        return t("code.time_left", lang, left=_mmss(left), budget=_mmss(session.budget_s))
    return t("code.time_over", lang, over=_mmss(-left), budget=_mmss(session.budget_s))


def _mmss(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


def _progress_line(lang: str) -> Callable[[str | None], None]:
    """Which check is running, on one line of stderr that the report replaces (nothing when not a TTY)."""
    from llmprep.console import err

    def show(check: str | None) -> None:
        if not err.is_terminal:
            return
        if check is None:
            err.file.write("\r\x1b[K")
        else:
            err.file.write("\r\x1b[K" + t("code.checking", lang, check=check))
        err.file.flush()

    return show


def _after(ws: Workspace, card: Card, verdict: dict, lang: str) -> None:
    """After a pass: how the card was rated and when it comes back."""
    from llmprep.store import CardState, ReviewLog

    if not verdict["passed"]:
        return
    with Session(ws.engine) as session:
        rating = session.scalar(
            select(ReviewLog.rating).where(ReviewLog.card_id == card.id).order_by(ReviewLog.id.desc()).limit(1)
        )
        due = session.scalar(select(CardState.due).where(CardState.card_id == card.id))
    if rating is None or due is None:
        return
    from llmprep.cli.render import interval

    next_in = interval(clock.as_utc(due) - clock.now(), lang)
    out.print(t("code.rated", lang, rating=rating_name(rating, lang), interval=next_in))


def _status(status: str, lang: str) -> str:
    """A check's status for people (pass, fail...; zh 通过, 未通过...); --json keeps the status names."""
    return t(f"code.status.{status}", lang) if f"code.status.{status}" in MESSAGES else status


def _report(verdict: dict, lang: str = "en", *, card_hints: bool = True) -> None:
    """The verdict as a table; `card_hints=False` (the editor loop) shows only what the output itself reveals
    (a recognised classic mistake): the card's hints are there on request, with `h`."""
    dtype = verdict.get("dtype", "float32")
    table = Table(
        title=t("code.report_title", lang, card=verdict["card"], device=verdict["device"], dtype=dtype), show_lines=True
    )
    table.add_column(t("code.col_check", lang))
    table.add_column(t("code.col_verdict", lang))
    table.add_column(t("code.col_details", lang), overflow="fold")
    hints_shown: set[str] = set()
    for names, check in _collapsed(verdict["checks"]):
        style = STATUS_STYLE.get(check["status"], "white")
        details = escape(check["message"])  # the submission's own text: never markup (`[x > p][k]`, `[/mask]`)
        hint = check.get("hint") if card_hints else check.get("suspect")
        if hint and hint not in hints_shown:
            hints_shown.add(hint)
            details += "\n" + t("code.hint", lang, hint=escape(hint))
        if len(names) == 1:
            label = names[0]
        else:
            label = t("code.collapsed_checks", lang, names=", ".join(names), count=len(names))
        table.add_row(label, f"[{style}]{_status(check['status'], lang)}[/]", details)
    out.print(table)
    passed = sum(c["status"] == "pass" for c in verdict["checks"])
    if verdict["passed"]:
        mark = t("code.all_pass", lang)
    else:
        mark = t("code.some_pass", lang, passed=passed, total=len(verdict["checks"]))
    out.print(
        t("code.summary", lang, mark=mark, seconds=f"{verdict['duration_s']:.1f}", seed=verdict.get("seed")),
        soft_wrap=lang == "zh",  # holds `--seed`: not broken at its spaces (en keeps its word-wrapped layout)
    )
    if verdict.get("sandbox") == "basic":
        note = verdict.get("sandbox_note", t("code.sandbox_note_default", lang))
        out.print(t("code.sandbox_basic", lang, note=note))


def _collapsed(checks: list[dict]) -> list[tuple[list[str], dict]]:
    """Checks that failed the same way (same status and message) share one row: one cause, one line."""
    rows: dict[tuple[str, str], tuple[list[str], dict]] = {}
    for check in checks:
        key = (check["status"], check["message"]) if check["status"] != "pass" else ("pass", check["name"])
        rows.setdefault(key, ([], check))[0].append(check["name"])
    return list(rows.values())


def editor_command(ws: Workspace) -> list[str]:
    for candidate in (ws.config.editor, os.environ.get("VISUAL"), os.environ.get("EDITOR")):
        if candidate:
            return shlex.split(candidate)
    for fallback in ("nano", "vi"):
        if shutil.which(fallback):
            return [fallback]
    raise LlmprepError("no editor found: set $EDITOR (or `llmprep config editor CMD`), or use --file")


def practice(
    ws: Workspace,
    card: Card,
    device: str,
    dtype: str,
    seed: int | None,
    lang: str,
    keys: KeyReader,
    *,
    as_json: bool = False,
    budget_s: float | None = None,
) -> bool:
    """Edit the card's workspace file in $EDITOR, grade it, repeat until it passes, the user gives up (rated
    Again, the reference is shown) or quits; `h` reveals the next hint of a failing check (a pass with hints
    rates at most Hard). Returns whether it passed; `llmprep study` uses it for `c`."""
    from llmprep.grading import attempts, cardspec

    assert card.grader is not None
    spec = cardspec.load(card.grader)
    workspace = ws.data_dir / "workspace" / f"{card.grader}.py"
    workspace.parent.mkdir(parents=True, exist_ok=True)
    if not workspace.exists():
        workspace.write_text(spec.template_path.read_text(encoding="utf-8"), encoding="utf-8")
    if not as_json:
        out.print(render.markdown(card.text("q", lang), ws.config.code_theme))
    editor = editor_command(ws)
    session = Coaching(budget_s)
    if budget_s is not None and not as_json:
        out.print(_clock(session, lang))
    while True:
        try:
            subprocess.run([*editor, str(workspace)], check=False)
        except FileNotFoundError:
            raise LlmprepError(f"editor `{editor[0]}` not found: set $EDITOR or use --file") from None
        source = workspace.read_text(encoding="utf-8", errors="replace")
        verdict = _grade_and_record(ws, card, source, device, dtype, seed, quiet=as_json, lang=lang, session=session)
        if as_json:
            print(json.dumps(verdict, ensure_ascii=False))
        else:
            _report(verdict, lang, card_hints=False)
            if budget_s is not None or verdict["passed"]:
                out.print(_clock(session, lang))
        if verdict["passed"]:
            _after(ws, card, verdict, lang)
            if not as_json:
                _offer_reference(ws, spec, source, lang, keys)
            return True
        out.print(t("code.loop_prompt", lang))
        key = keys.read()
        while key not in ("e", "g", "q"):
            if key == "h":
                _show_hint(session, verdict, lang)
                out.print(t("code.loop_prompt", lang))
            key = keys.read()
        if key == "q":
            return False
        if key == "g":
            attempts.give_up(ws.engine, ws.config, card.id, clock.now())
            solution = paths.solutions() / f"{card.grader}.py"
            code = solution.read_text(encoding="utf-8")
            out.print(Syntax(code, "python", line_numbers=True, theme=ws.config.code_theme, background_color="default"))
            out.print(t("code.gave_up", lang))
            return False


def _show_hint(session: Coaching, verdict: dict, lang: str) -> None:
    found = session.next_hint(verdict)
    if found is None:
        out.print(t("code.no_more_hints", lang))
        return
    check, level, of, text = found
    out.print(t("code.hint_level", lang, check=check, level=level, of=of, hint=escape(text)))


def _offer_reference(ws: Workspace, spec: object, source: str, lang: str, keys: KeyReader) -> None:
    """After a pass: `r` shows the reference beside the user's code, and what interviewers ask next."""
    from rich.columns import Columns
    from rich.panel import Panel

    out.print(t("code.after_pass_prompt", lang))
    if keys.read() != "r":
        return
    reference = (paths.solutions() / f"{spec.id}.py").read_text(encoding="utf-8")  # type: ignore[attr-defined]
    theme = ws.config.code_theme
    panes = [
        Panel(Syntax(text, "python", theme=theme, background_color="default"), title=title)
        for text, title in ((source, t("code.yours", lang)), (reference, t("code.reference", lang)))
    ]
    out.print(Columns(panes, equal=True, expand=True))
    follow_up = getattr(spec, "follow_up", "")
    if follow_up:
        out.print(Panel(escape(follow_up), title=t("code.follow_up", lang)))


def _list(ws: Workspace, lang: str) -> None:
    from llmprep.grading import cardspec
    from llmprep.store import Attempt, CardState

    coding = [c for c in ws.cards.values() if c.kind == "code"]
    table = Table(title=t("code.list_title", lang))
    for column in ("card", "title", "difficulty", "last_verdict", "due"):
        table.add_column(t(f"code.col_{column}", lang))
    with Session(ws.engine) as session:
        last = dict(
            session.execute(
                select(Attempt.card_id, Attempt.passed).where(
                    Attempt.id.in_(select(func.max(Attempt.id)).group_by(Attempt.card_id))
                )
            ).all()
        )
        due = dict(session.execute(select(CardState.card_id, CardState.due)).all())
    for card in sorted(coding, key=lambda c: c.grader or ""):
        assert card.grader is not None
        spec = cardspec.load(card.grader)
        shown = {True: f"[green]{_status('pass', lang)}[/]", False: f"[red]{_status('fail', lang)}[/]"}
        verdict = shown.get(last.get(card.id), "—")  # type: ignore[call-overload]
        when = due[card.id].strftime("%Y-%m-%d") if card.id in due else t("code.due_new", lang)
        difficulty = f"code.difficulty.{spec.difficulty}"
        difficulty = t(difficulty, lang) if difficulty in MESSAGES else spec.difficulty
        table.add_row(card.grader, spec.title, difficulty, verdict, when)
    out.print(table)
