"""Rich renderings shared by the study screens."""

from __future__ import annotations

import re
from datetime import timedelta

from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table

from llmprep.console import out
from llmprep.decks import Card
from llmprep.messages import rating_name, t

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


def interval(delta: timedelta, lang: str = "en") -> str:
    """Anki-style short interval: 45s, 10m, 3h, 4d, 2.1mo, 1.3y (zh: 45秒, 10分钟, 3小时, 4天, 2.1个月, 1.3年)."""
    seconds = max(0.0, delta.total_seconds())
    if seconds < 60:
        return t("interval.s", lang, n=f"{seconds:.0f}")
    if seconds < 3600:
        return t("interval.m", lang, n=f"{seconds / 60:.0f}")
    if seconds < 86400:
        return t("interval.h", lang, n=f"{seconds / 3600:.0f}")
    days = seconds / 86400
    if days < 30:
        return t("interval.d", lang, n=f"{days:.0f}")
    if days < 365:
        return t("interval.mo", lang, n=f"{days / 30:.1f}")
    return t("interval.y", lang, n=f"{days / 365:.1f}")


def status(new: int, learning: int, due: int, *, seconds: float, lang: str = "en") -> None:
    """Anki's three numbers (new · learning · due still to come today) and the time spent so far."""
    minutes, secs = divmod(int(seconds), 60)
    out.print(
        t("render.status", lang, new=new, learning=learning, due=due, time=f"{minutes}:{secs:02d}"), highlight=False
    )


def question(card: Card, lang: str, *, cram: bool = False, theme: str = "ansi_dark") -> None:
    label = f"{card.deck} · {card.id}" + (f" · {t('render.cram_label', lang)}" if cram else "")
    if card.tags:
        label += " · " + ", ".join(card.tags)
    out.print()
    out.print(Panel(markdown(card.text("q", lang), theme), title=label, title_align="left", border_style="blue"))


def reveal_prompt(lang: str = "en") -> None:
    out.print(t("render.reveal_prompt", lang))


def answer(card: Card, lang: str, *, theme: str = "ansi_dark") -> None:
    out.print(markdown(card.text("a", lang), theme))
    pitfall = card.text("pitfall", lang)
    if pitfall:
        title = t("render.pitfall", lang)
        out.print(Panel(markdown(pitfall, theme), title=title, title_align="left", border_style="yellow"))
    if card.sources:
        out.print("[dim]" + t("render.sources", lang) + "; ".join(card.sources) + "[/]", markup=True, highlight=False)


def buttons(intervals: dict[int, timedelta] | None, *, can_undo: bool, lang: str = "en") -> None:
    parts = []
    for rating, style in RATING_STYLES.items():
        after = t("render.button_interval", lang, interval=interval(intervals[rating], lang)) if intervals else ""
        parts.append(f"[{style}]{rating} {rating_name(rating, lang)}{after}[/]")
    undo = t("render.key_undo", lang)
    extra = (f"{undo} · " if can_undo else "") + t("render.keys_after_answer", lang)
    if intervals is None:
        extra = (f"{undo} · " if can_undo else "") + t("render.key_quit", lang)
    out.print("   ".join(parts) + f"   [dim]{extra}[/]")


def summary(
    *,
    seen: int,
    ratings: dict[int, int],
    seconds: float,
    due_tomorrow: int,
    leeches: list[str],
    cram: bool,
    lang: str = "en",
) -> None:
    table = Table(title=t("render.summary_title_cram" if cram else "render.summary_title", lang), show_header=False)
    table.add_row(t("render.summary_seen", lang), str(seen))
    table.add_row(
        t("render.summary_ratings", lang), "  ".join(f"{rating_name(r, lang)} {n}" for r, n in ratings.items())
    )
    table.add_row(t("render.summary_time", lang), t("render.summary_minutes", lang, minutes=f"{seconds / 60:.1f}"))
    table.add_row(t("render.summary_due_tomorrow", lang), str(due_tomorrow))
    if leeches:
        table.add_row(t("render.summary_leeches", lang), ", ".join(leeches))
    out.print(table)
