"""`llmprep stats` (progress review) and `llmprep optimize` (fit FSRS parameters to your own log)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.cells import cell_len
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from llmprep import clock, scheduler
from llmprep.console import err, out
from llmprep.errors import LlmprepError, UsageError
from llmprep.messages import MESSAGES, t
from llmprep.workspace import Workspace

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

SHADES = " ░▒▓█"


def register(app: typer.Typer) -> None:
    app.command("stats")(stats)
    app.command("optimize")(optimize)


def stats(
    ctx: typer.Context,
    deck: list[str] | None = typer.Option(None, "--deck", "-d", metavar="DECK", help="Only these decks (repeatable)."),
    tag: list[str] | None = typer.Option(
        None, "--tag", "-t", metavar="TAG", help="Only cards with these tags (repeatable)."
    ),
    days: int = typer.Option(
        365, "--days", min=7, max=3650, metavar="N", help="History window of the heatmap, in days."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print everything as one JSON document."),
    plot: Path | None = typer.Option(
        None, "--plot", metavar="FILE.png", help="Also draw the charts into this PNG (needs matplotlib)."
    ),
) -> None:
    """Progress review: today, streaks, 30-day forecast, heatmap, retention, weak spots and coding results."""
    from llmprep import stats as core

    ws: Workspace = ctx.obj
    known = ws.names()[0] if deck else set()
    for name in deck or []:
        if name not in known:
            raise UsageError(f"no deck `{name}`; `llmprep decks` lists them")
    report = core.collect(
        ws.engine, ws.config, scheduler.Filters(tuple(deck or ()), tuple(tag or ())), clock.now(), days
    )
    written = _plot(report, plot) if plot is not None else None
    lang = ws.language()
    if as_json:
        print(json.dumps(report, ensure_ascii=False))
    elif report["empty"]:
        out.print(Panel(t("stats.empty", lang), title="llmprep stats", border_style="blue"))
    else:
        _render(report, lang)
    if written is not None:  # last, so it is not scrolled away; on stderr with --json, whose stdout is the document
        (err if as_json else out).print(t("stats.chart_written", lang, path=written), markup=False, soft_wrap=True)


def _render(report: dict[str, Any], lang: str = "en") -> None:
    today, streak = report["today"], report["streak"]
    again = "—" if today["again_rate"] is None else f"{today['again_rate']:.0%}"
    today_line = t(
        "stats.today",
        lang,
        reviewed=today["reviewed"],
        new=today["new"],
        again=again,
        minutes=f"{today['seconds'] / 60:.0f}",
    )
    streak_line = t(
        "stats.streak",
        lang,
        current=streak["current"],
        longest=streak["longest"],
        study_days=streak["study_days"],
        reviews=report["reviews"],
        cards=report["cards"],
    )
    out.print(Panel(f"{today_line}\n{streak_line}", title="llmprep stats", border_style="blue"))
    out.print(_forecast(report["forecast"], lang))
    today_date = date.fromisoformat(report["forecast"][0]["date"])
    out.print(_heatmap(report["heatmap"], report["filters"]["days"], today_date, lang))
    out.print(_retention(report["retention"], lang))
    out.print(_mastery("decks", report["decks"], lang))
    studied_tags = [tag for tag in report["tags"] if tag["mean_retrievability"] is not None]
    if studied_tags:  # the weakest topics first
        out.print(_mastery("tags", sorted(studied_tags, key=lambda r: r["mean_retrievability"])[:12], lang))
    yes, no = t("common.yes", lang), t("common.no", lang)
    if report["weakest"]:
        weak = Table(title=t("stats.weakest_title", lang))
        for column in ("card", "deck", "recall", "lapses", "leech"):
            weak.add_column(t(f"stats.col_{column}", lang))
        for row in report["weakest"]:
            weak.add_row(
                row["card"], row["deck"], _pct(row["retrievability"]), str(row["lapses"]), yes if row["leech"] else ""
            )
        out.print(weak)
    coding = report["coding"]
    if coding["cards"]:
        title = t(
            "stats.coding_title",
            lang,
            attempts=coding["attempts"],
            pass_rate=_pct(coding["pass_rate"]),
            first_try=_pct(coding["first_try_pass_rate"]),
        )
        table = Table(title=title)
        for column in ("problem", "attempts", "pass_rate", "first_try", "days_to_pass", "last"):
            table.add_column(t(f"stats.col_{column}", lang))
        for row in coding["cards"]:
            to_pass = "—" if row["days_to_first_pass"] is None else f"{row['days_to_first_pass']:.1f}"
            last = f"code.status.{row['last_verdict']}"  # pass or fail: the --json value, shown in words
            table.add_row(
                row["card"],
                str(row["attempts"]),
                _pct(row["pass_rate"]),
                yes if row["first_try_pass"] else no,
                to_pass,
                t(last, lang) if last in MESSAGES else row["last_verdict"],
            )
        out.print(table)
    _typed(report["typed"], report["interviews"], lang)


def _typed(typed: dict[str, Any], interviews: dict[str, Any], lang: str) -> None:
    """Coverage of typed answers (study --type, interview) and the interview scores, when there are any."""
    if typed["answers"]:
        out.print(
            t(
                "stats.typed",
                lang,
                answers=typed["answers"],
                all=_pct(typed["mean_coverage"]),
                week=_pct(typed["week"]["mean_coverage"]),
                month=_pct(typed["month"]["mean_coverage"]),
            )
        )
    if interviews["count"]:
        recent = " → ".join(f"{row['score']:.0f}" for row in interviews["trend"][-8:]) or "—"
        mean = "—" if interviews["mean_score"] is None else f"{interviews['mean_score']:.0f}"
        out.print(t("stats.interviews", lang, count=interviews["count"], mean=mean, recent=recent))


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _forecast(forecast: list[dict[str, Any]], lang: str = "en") -> Panel:
    """Bars drawn with plotext, sized to fit an 80-column terminal."""
    import plotext as plt

    plt.clear_figure()
    plt.plotsize(min(out.width, 100) - 4, 12)
    days = list(range(len(forecast)))
    plt.bar(days, [f["due"] for f in forecast], width=0.6)
    plt.xticks(days[::7], [f["date"][5:] for f in forecast][::7])
    plt.theme("clear")
    chart = plt.build()
    plt.clear_figure()
    return Panel(Text.from_ansi(chart), title=t("stats.forecast_title", lang), border_style="blue")


def _heatmap(cells: list[dict[str, Any]], days: int, today: date, lang: str = "en") -> Panel:
    """Weeks as columns, weekdays as rows, like a contributions graph; shades from the day's review count."""
    counts = {c["date"]: c["reviews"] for c in cells}
    weeks = min((days + 6) // 7, max(1, (out.width - 12) // 1))
    start = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    peak = max(counts.values(), default=1)
    names = {weekday: t(f"weekday.{weekday}", lang) for weekday in (0, 2, 4, 6)}  # every other row is labelled
    width = max(cell_len(name) for name in names.values())
    lines = []
    for weekday in range(7):
        name = names.get(weekday, "")
        line = Text(name + " " * (width - cell_len(name)) + " ")
        for week in range(weeks):
            day = start + timedelta(days=7 * week + weekday)
            if day > today:
                line.append(" ")
                continue
            n = counts.get(day.isoformat(), 0)
            level = 0 if n == 0 else 1 + min(3, int(3 * n / peak))
            line.append(SHADES[level] if n else "·", style="green" if n else "dim")
        lines.append(line)
    legend = Text(" " * (width + 1) + t("stats.heatmap_legend", lang, few=SHADES[1], most=SHADES[4], peak=peak))
    return Panel(Group(*lines, legend), title=t("stats.heatmap_title", lang, weeks=weeks), border_style="blue")


def _retention(retention: dict[str, Any], lang: str = "en") -> Table:
    table = Table(title=t("stats.retention_title", lang))
    for column in ("period", "young", "mature", "all"):
        table.add_column(t(f"stats.col_{column}", lang))
    for period, row in retention.items():
        name = f"stats.period.{period}"
        table.add_row(
            t(name, lang) if name in MESSAGES else period,
            *(
                t("stats.retention_cell", lang, retention=_pct(row[k]["retention"]), reviews=row[k]["reviews"])
                for k in ("young", "mature", "all")
            ),
        )
    return table


def _mastery(title: str, rows: list[dict[str, Any]], lang: str = "en") -> Table:
    """Per deck (`title` decks) or per tag (tags)."""
    table = Table(title=t(f"stats.mastery_title.{title}", lang))
    for column in (title[:-1], "cards", "new", "learn", "young", "mature", "susp", "recall"):
        table.add_column(t(f"stats.col_{column}", lang), justify="left" if column == title[:-1] else "right")
    for row in rows:
        table.add_row(
            row["name"],
            *(str(row[k]) for k in ("cards", "new", "learning", "young", "mature", "suspended")),
            _pct(row["mean_retrievability"]),
        )
    return table


PLOT_MIN_DAYS = 7  # a date axis spans at least a week: one day of history gets day labels, not hours


def _plot(report: dict[str, Any], path: Path) -> Path:
    """Writes the charts of `--plot` and returns the absolute path written."""
    fig = build_figure(report)
    try:
        fig.savefig(path, dpi=100)
    except OSError as exc:
        raise LlmprepError(f"cannot write {path}: {exc.strerror}") from None
    except ValueError as exc:  # an extension matplotlib cannot write
        raise LlmprepError(f"cannot write {path}: {exc}") from None
    return path.absolute()


def build_figure(report: dict[str, Any]) -> Figure:
    """The `--plot` charts of a `collect()` report: cards due per day in the next 30 days, reviews per day.

    Drawn on a plain Figure with the Agg canvas (no pyplot: no GUI backend, no global figure state)."""
    try:
        import matplotlib  # noqa: F401  (the package first: its absence is what a missing install looks like)
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise LlmprepError(f"--plot needs matplotlib; install it with: {matplotlib_install_command()}") from None
    today = date.fromisoformat(report["forecast"][0]["date"])
    fig = Figure(figsize=(10, 6), layout="constrained")
    FigureCanvasAgg(fig)
    top, bottom = fig.subplots(2, 1)
    forecast = [(date.fromisoformat(f["date"]), f["due"]) for f in report["forecast"]]
    _day_bars(top, forecast, today, forecast[-1][0], "#4c72b0")
    top.set_title("Due in the next 30 days")
    top.set_ylabel("cards")
    history = [(date.fromisoformat(c["date"]), c["reviews"]) for c in report["heatmap"]]
    first = min([today - timedelta(days=PLOT_MIN_DAYS - 1), *(d for d, _ in history)])
    _day_bars(bottom, history, first, today, "#55a868")
    bottom.set_title("Reviews per day")
    bottom.set_ylabel("reviews")
    if not history:
        days = report["filters"]["days"]
        bottom.text(
            0.5, 0.5, f"no reviews in the last {days} days", ha="center", va="center", transform=bottom.transAxes
        )
    return fig


def _day_bars(ax: Axes, points: list[tuple[date, int]], first: date, last: date, color: str) -> None:
    """One bar per day between `first` and `last`: whole-day date ticks, integer count ticks."""
    from matplotlib.dates import AutoDateLocator, DateFormatter, date2num
    from matplotlib.ticker import MaxNLocator

    ax.bar([date2num(d) for d, _ in points], [n for _, n in points], width=0.8, color=color)
    ax.set_xlim(date2num(first) - 0.5, date2num(last) + 0.5)
    ax.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=8))
    ax.xaxis.set_major_formatter(DateFormatter("%b %Y" if (last - first).days > 180 else "%b %d"))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max(1, max((n for _, n in points), default=0)) * 1.1)
    ax.tick_params(axis="x", labelsize=8)


def matplotlib_install_command() -> str:
    """The command that adds matplotlib to the environment this llmprep runs in.

    pipx keeps each app in its own venv (sys.prefix holds `pipx_metadata.json`); an editable checkout says so in
    its dist-info `direct_url.json` (PEP 610); anything else is a pip install into this interpreter."""
    import shlex
    import sys
    from importlib import metadata

    prefix = Path(sys.prefix)
    if (prefix / "pipx_metadata.json").is_file() or (
        prefix.parent.name == "venvs" and "pipx" in prefix.parent.parent.name
    ):
        return f"pipx inject {shlex.quote(prefix.name)} matplotlib"
    python = shlex.quote(sys.executable or "python")
    try:
        direct_url = json.loads(metadata.distribution("llmprep").read_text("direct_url.json") or "{}")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return f"{python} -m pip install matplotlib"
    except ValueError:
        direct_url = {}
    url = direct_url.get("url", "") if isinstance(direct_url, dict) else ""
    if url.startswith("file://") and (direct_url.get("dir_info") or {}).get("editable"):
        from urllib.parse import unquote, urlparse

        source = unquote(urlparse(url).path)
        return f"cd {shlex.quote(source)} && {python} -m pip install -e '.[plot]'"
    return f"{python} -m pip install 'llmprep[plot]'"


MIN_REVIEWS = 200


def optimize(
    ctx: typer.Context,
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the fit without saving the parameters."),
) -> None:
    """Fit FSRS parameters to your own review log (fsrs optimizer, uses torch) and use them from now on."""
    import dataclasses

    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from llmprep import config as config_core
    from llmprep.store import ReviewLog

    ws: Workspace = ctx.obj
    with Session(ws.engine) as session:
        logs = session.execute(
            select(ReviewLog.card_id, ReviewLog.rating, ReviewLog.reviewed_at, ReviewLog.duration_ms)
            .where(ReviewLog.kind != "cram")
            .order_by(ReviewLog.reviewed_at)
        ).all()
    if len(logs) < MIN_REVIEWS:
        out.print(
            f"Not enough reviews to fit your own parameters yet: {len(logs)} of at least {MIN_REVIEWS}. "
            "The default FSRS parameters are a good start; run this again in a few weeks."
        )
        return
    from fsrs import Optimizer, Rating
    from fsrs import ReviewLog as FsrsLog

    ids = {card_id: n for n, card_id in enumerate(sorted({row[0] for row in logs}))}
    review_logs = [
        FsrsLog(card_id=ids[c], rating=Rating(r), review_datetime=t, review_duration=d) for c, r, t, d in logs
    ]
    old = list(scheduler.make_fsrs(ws.config).parameters)
    new = list(Optimizer(review_logs).compute_optimal_parameters())
    table = Table(title=f"FSRS parameters fitted on {len(logs)} reviews")
    for column in ("w", "old", "new"):
        table.add_column(column, justify="right")
    for i, (a, b) in enumerate(zip(old, new, strict=True)):
        table.add_row(str(i), f"{a:.4f}", f"{b:.4f}")
    out.print(table)
    old_days, new_days = (_interval_after_good(params, ws.config.desired_retention) for params in (old, new))
    out.print(
        f"Workload: a new card rated Good twice is next due in {new_days:.0f} days (was {old_days:.0f}); "
        f"{'fewer' if new_days > old_days else 'more'} reviews for the same retention."
    )
    if dry_run:
        return
    config_core.save(ws.config_path, dataclasses.replace(ws.config, fsrs_parameters=tuple(new)))
    out.print(f"saved to {ws.config_path}")


def _interval_after_good(parameters: list[float], retention: float) -> float:
    from datetime import UTC, datetime

    from fsrs import Card, Rating, Scheduler

    sched = Scheduler(parameters=parameters, desired_retention=retention, enable_fuzzing=False)
    card, when = Card(card_id=0), datetime(2026, 1, 1, tzinfo=UTC)
    for _ in range(3):
        card, _log = sched.review_card(card, Rating.Good, when)
        when = card.due
    return (card.due - card.last_review).total_seconds() / 86400 if card.last_review else 0.0
