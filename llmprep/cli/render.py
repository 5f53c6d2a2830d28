"""Rich renderings shared by the study screens."""

from __future__ import annotations

import re
from datetime import timedelta

from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table

from llmprep.console import out
from llmprep.decks import Card

# `$$ ... $$` and `\( ... \)` in a deck are LaTeX; a single `$` stays a dollar sign ("the answer is $18")
MATH = re.compile(r"\$\$(.+?)\$\$|\\\((.+?)\\\)", re.DOTALL)
RATING_STYLES = {1: "red", 2: "yellow", 3: "green", 4: "cyan"}


def _math(text: str) -> str:
    """LaTeX spans as Unicode (α≤β, √(d_k), a/b) with pylatexenc; a terminal cannot typeset them."""
    if "$$" not in text and "\\(" not in text:
        return text
    from pylatexenc.latex2text import LatexNodes2Text

    converter = LatexNodes2Text()
    return MATH.sub(lambda m: converter.latex_to_text(m.group(1) or m.group(2)).strip(), text)


def markdown(text: str | None, theme: str) -> Markdown:
    return Markdown(_math(text or ""), code_theme=theme)


RATING_LABELS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


def interval(delta: timedelta) -> str:
    """Anki-style short interval: 45s, 10m, 3h, 4d, 2.1mo, 1.3y."""
    seconds = max(0.0, delta.total_seconds())
    if seconds < 60:
        return f"{seconds:.0f}s"
    if seconds < 3600:
        return f"{seconds / 60:.0f}m"
    if seconds < 86400:
        return f"{seconds / 3600:.0f}h"
    days = seconds / 86400
    if days < 30:
        return f"{days:.0f}d"
    if days < 365:
        return f"{days / 30:.1f}mo"
    return f"{days / 365:.1f}y"


def status(new: int, learning: int, due: int, *, seconds: float) -> None:
    """Anki's three numbers (new · learning · due still to come today) and the time spent so far."""
    minutes, secs = divmod(int(seconds), 60)
    out.print(
        f"[blue]new {new}[/] · [red]learning {learning}[/] · [green]due {due}[/]   [dim]{minutes}:{secs:02d}[/]",
        highlight=False,
    )


def question(card: Card, lang: str, *, cram: bool = False, theme: str = "ansi_dark") -> None:
    label = f"{card.deck} · {card.id}" + (" · cram" if cram else "")
    if card.tags:
        label += " · " + ", ".join(card.tags)
    out.print()
    out.print(Panel(markdown(card.text("q", lang), theme), title=label, title_align="left", border_style="blue"))


def reveal_prompt() -> None:
    out.print("[dim]Enter/Space: show answer · b bury · s suspend · e edit · q quit[/]")


def answer(card: Card, lang: str, *, theme: str = "ansi_dark") -> None:
    out.print(markdown(card.text("a", lang), theme))
    pitfall = card.text("pitfall", lang)
    if pitfall:
        title = "常见误区" if lang == "zh" else "Common pitfall"
        out.print(Panel(markdown(pitfall, theme), title=title, title_align="left", border_style="yellow"))
    if card.sources:
        out.print("[dim]sources: " + "; ".join(card.sources) + "[/]", markup=True, highlight=False)


def buttons(intervals: dict[int, timedelta] | None, *, can_undo: bool) -> None:
    parts = []
    for rating, label in RATING_LABELS.items():
        after = f" ({interval(intervals[rating])})" if intervals else ""
        parts.append(f"[{RATING_STYLES[rating]}]{rating} {label}{after}[/]")
    extra = ("u undo · " if can_undo else "") + "Space Good · b bury · s suspend · e edit · q quit"
    if intervals is None:
        extra = "u undo · q quit" if can_undo else "q quit"
    out.print("   ".join(parts) + f"   [dim]{extra}[/]")


def summary(
    *, seen: int, ratings: dict[str, int], seconds: float, due_tomorrow: int, leeches: list[str], cram: bool
) -> None:
    table = Table(title="Session" + (" (cram: schedule untouched)" if cram else ""), show_header=False)
    table.add_row("cards seen", str(seen))
    table.add_row("ratings", "  ".join(f"{name} {n}" for name, n in ratings.items()))
    table.add_row("time", f"{seconds / 60:.1f} min")
    table.add_row("due by end of tomorrow", str(due_tomorrow))
    if leeches:
        table.add_row("new leeches", ", ".join(leeches))
    out.print(table)
