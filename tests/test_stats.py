"""`llmprep stats`: exact numbers over a history built with an injected clock, the empty screen, 80 columns."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import io
import json
import re
import sqlite3
import sys
from datetime import datetime
from pathlib import Path

import pytest
from rich.console import Console

from llmprep import store

OTHER_DECK = """\
deck: other
title: {zh: 其他, en: Other}
cards:
  - id: other-a
    tags: [alpha]
    q: {zh: 问题A, en: Question A}
    a: {zh: 答案A, en: Answer A}
  - id: other-b
    tags: [gamma]
    q: {zh: 问题B, en: Question B}
    a: {zh: 答案B, en: Answer B}
"""


def day(n: int, hour: int = 10) -> str:
    return f"2026-01-{n:02d}T{hour:02d}:00:00+00:00"


def millis(utc: str) -> int:
    """A stored review time: milliseconds since the epoch, as the review log keeps it."""
    return round(datetime.fromisoformat(utc + "+00:00").timestamp() * 1000)


def build(cli, isolated: Path, decks: Path) -> None:
    """Studies on Jan 1, 2, 3, then 5 and 6 (a gap on the 4th); demo-two is a leech; one coding card."""
    # new cards in file order: the script below rates demo-one, demo-two, demo-three in turn
    (isolated / "config.toml").write_text('fuzz = false\nday_starts_at = 0\nnew_order = "deck"\n')
    (decks / "other.yaml").write_text(OTHER_DECK, encoding="utf-8")
    args = ("--decks", str(decks), "study", "--deck", "demo", "--deck", "other")
    cli(*args, "--new", "3", input="\n3\n\n1\n\n3\nq\n", now=day(1))  # demo-one Good, demo-two Again, demo-three Good
    cli(*args, "--new", "0", input="\n3\n" * 3 + "q\n", now=day(2))
    cli("--decks", str(decks), "study", "--deck", "other", "--new", "1", input="\n3\nq\n", now=day(3, 9))
    cli(*args, "--new", "0", input="q\n", now=day(5))  # opened, nothing rated
    cli(*args, "--new", "0", input="q\n", now=day(6))
    conn = sqlite3.connect(isolated / "llmprep.sqlite3")
    # controlled review rows: 4 young (3 passed), 2 mature (1 passed) on Jan 5 and 6, one cram row (ignored)
    rows = [
        ("demo-one", 3, "2026-01-05 11:00:00", "review", 3.0),
        ("demo-one", 1, "2026-01-05 11:05:00", "review", 5.0),
        ("demo-three", 3, "2026-01-05 12:00:00", "review", 8.0),
        ("demo-three", 4, "2026-01-06 08:00:00", "review", 2.0),
        ("other-a", 3, "2026-01-06 09:00:00", "review", 30.0),
        ("other-a", 1, "2026-01-06 09:30:00", "review", 40.0),
        ("other-a", 1, "2026-01-06 09:40:00", "cram", None),
    ]
    conn.executemany(
        "insert into review_log (card_id, rating, reviewed_at, duration_ms, kind, scheduled_days) "
        "values (?, ?, ?, 5000, ?, ?)",
        [(card, rating, millis(at), kind, days) for card, rating, at, kind, days in rows],
    )
    conn.execute("delete from review_slots")  # the running sums, rebuilt as the v4 migration does
    conn.execute(f"insert into review_slots {store.slot_rows_sql()}")
    conn.execute("update cards set suspended = 1, leech = 1 where id = 'demo-two'")
    # coding: a failure then a pass on code-mha, one day apart
    conn.executemany(
        "insert into attempts (card_id, attempted_at, device, passed, gave_up, duration_s, seed, checks, "
        "source) values ('code-mha', ?, 'cpu', ?, 0, 2.0, 1, '[]', 'x')",
        [("2026-01-05 10:00:00", 0), ("2026-01-06 10:00:00", 1)],
    )
    conn.commit()
    conn.close()


def test_exact_numbers_in_json(cli, isolated: Path, demo_decks: Path) -> None:
    build(cli, isolated, demo_decks)
    result = cli(
        "--decks",
        str(demo_decks),
        "stats",
        "--json",
        "--deck",
        "demo",
        "--deck",
        "other",
        "--deck",
        "attention-kv-cache",
        now=day(6, 20),
    )
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["streak"] == {"current": 2, "longest": 3, "study_days": 5}
    heat = {c["date"]: c["reviews"] for c in report["heatmap"]}
    assert heat == {"2026-01-01": 3, "2026-01-02": 3, "2026-01-03": 1, "2026-01-05": 3, "2026-01-06": 3}
    assert report["today"] == {"reviewed": 3, "new": 0, "again_rate": round(1 / 3, 4), "seconds": 15.0}
    today = report["retention"]["today"]
    assert today["young"] == {"reviews": 1, "passed": 1, "retention": 1.0}
    assert today["mature"] == {"reviews": 2, "passed": 1, "retention": 0.5}
    week = report["retention"]["week"]
    assert week["young"]["reviews"] == 4 and week["young"]["passed"] == 3
    assert week["all"] == {"reviews": 6, "passed": 4, "retention": round(4 / 6, 4)}
    decks = {d["name"]: d for d in report["decks"]}
    assert decks["demo"]["cards"] == 3 and decks["demo"]["suspended"] == 1 and decks["demo"]["new"] == 0
    assert decks["other"]["cards"] == 2 and decks["other"]["new"] == 1
    tags = {t["name"]: t["cards"] for t in report["tags"]}
    assert tags["alpha"] == 3 and tags["beta"] == 2 and tags["gamma"] == 1
    assert sum(f["due"] for f in report["forecast"]) == 3  # the 3 studied, unsuspended cards, within 30 days
    assert len(report["forecast"]) == 30 and report["forecast"][0]["date"] == "2026-01-06"
    weakest = report["weakest"]
    assert weakest[0]["card"] == "demo-two" and weakest[0]["leech"] is True
    coding = report["coding"]
    assert coding["attempts"] == 2 and coding["pass_rate"] == 0.5 and coding["first_try_pass_rate"] == 0.0
    assert coding["cards"] == [
        {
            "card": "code-mha",
            "attempts": 2,
            "pass_rate": 0.5,
            "first_try_pass": False,
            "days_to_first_pass": 1.0,
            "last_verdict": "pass",
            "best_time_to_pass_s": None,  # graded with --file: no practice session to time
            "hints_used": 0,
        }
    ]


def test_tag_filter(cli, isolated: Path, demo_decks: Path) -> None:
    build(cli, isolated, demo_decks)
    report = json.loads(cli("--decks", str(demo_decks), "stats", "--json", "--tag", "gamma", now=day(6, 20)).out)
    assert report["cards"] == 1 and report["reviews"] == 0 and report["empty"] is True


def test_empty_database_is_friendly(cli) -> None:
    result = cli("stats")
    assert result.code == 0
    assert "Nothing yet" in result.out
    report = json.loads(cli("stats", "--json").out)
    assert report["empty"] is True and report["today"]["again_rate"] is None
    assert report["retention"]["week"]["all"]["retention"] is None


def test_renders_at_80_columns(cli, isolated: Path, demo_decks: Path, monkeypatch) -> None:
    build(cli, isolated, demo_decks)
    from llmprep import console

    buffer = io.StringIO()
    monkeypatch.setattr(console, "out", Console(file=buffer, width=80, color_system=None, force_terminal=False))
    import llmprep.cli.stats as stats_cli

    monkeypatch.setattr(stats_cli, "out", console.out)
    assert cli("--decks", str(demo_decks), "stats", now=day(6, 20)).code == 0
    screen = buffer.getvalue()
    lines = screen.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "\x1b[" not in screen  # no escape codes when colour is off
    for expected in (
        "streak: 2 day(s), longest 3",
        "Due in the next 30 days",
        "Reviews, last",
        "True retention",
        "Mastery by deck",
        "Weakest cards",
        "Coding: 2 attempts",
    ):
        assert expected in screen, expected


HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None
needs_matplotlib = pytest.mark.skipif(
    not HAS_MATPLOTLIB, reason="matplotlib is not installed (pip install 'llmprep[plot]'): no chart to inspect"
)


@needs_matplotlib
def test_plot_figure_of_one_study_day_has_day_labels_and_integer_counts(cli, demo_decks: Path) -> None:
    from matplotlib.dates import num2date
    from matplotlib.ticker import MaxNLocator

    from llmprep.cli.stats import build_figure

    cli("--decks", str(demo_decks), "study", "--new", "3", input="\n3\n\n1\n\n3\nq\n", now=day(1))
    report = json.loads(cli("--decks", str(demo_decks), "stats", "--json", now=day(1, 20)).out)
    assert [c["date"] for c in report["heatmap"]] == ["2026-01-01"]  # the whole history is one day
    fig = build_figure(report)
    fig.canvas.draw()
    forecast, history = fig.axes
    for ax in (forecast, history):
        assert isinstance(ax.yaxis.get_major_locator(), MaxNLocator)
        yticks = ax.get_yticks()
        assert len(yticks) >= 2 and all(float(t).is_integer() for t in yticks), yticks
        xticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
        assert len(xticks) >= 3
        assert all(num2date(t).time().isoformat() == "00:00:00" for t in xticks)  # whole days, not hours
        labels = [label.get_text() for label in ax.get_xticklabels() if label.get_text()]
        assert len(labels) >= 3 and all(re.fullmatch(r"[A-Z][a-z]{2} \d{2}", text) for text in labels), labels
    assert "Jan 01" in [label.get_text() for label in history.get_xticklabels()]
    (bar,) = history.patches
    assert num2date(bar.get_x() + bar.get_width() / 2).date().isoformat() == "2026-01-01"


@needs_matplotlib
def test_plot_writes_a_png_and_prints_its_path(cli, isolated: Path, demo_decks: Path, tmp_path: Path) -> None:
    build(cli, isolated, demo_decks)
    target = tmp_path / "stats.png"
    result = cli("--decks", str(demo_decks), "stats", "--plot", str(target), now=day(6, 20))
    assert result.code == 0, result.err
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert result.out.rstrip().splitlines()[-1] == f"chart written to {target}"
    target.unlink()
    as_json = cli("--decks", str(demo_decks), "stats", "--json", "--plot", str(target), now=day(6, 20))
    assert as_json.code == 0 and target.is_file()
    assert json.loads(as_json.out)["reviews"] > 0  # stdout stays one JSON document; the path goes to stderr
    assert f"chart written to {target}" in as_json.err


class FakeDistribution:
    def __init__(self, direct_url: str | None) -> None:
        self.direct_url = direct_url

    def read_text(self, name: str) -> str | None:
        return self.direct_url if name == "direct_url.json" else None


EDITABLE = json.dumps({"url": "file:///home/me/src/llm%20prep", "dir_info": {"editable": True}})
FROM_INDEX = None  # pip install llmprep from an index writes no direct_url.json


@pytest.mark.parametrize(
    ("layout", "direct_url", "expected"),
    [
        ("pipx", EDITABLE, "pipx inject llmprep matplotlib"),
        ("venv", EDITABLE, "cd '/home/me/src/llm prep' && {python} -m pip install -e '.[plot]'"),
        ("venv", FROM_INDEX, "{python} -m pip install 'llmprep[plot]'"),
    ],
    ids=["pipx", "editable-checkout", "pip-from-index"],
)
def test_plot_without_matplotlib_names_the_install_command(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str, direct_url: str | None, expected: str
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` raises ImportError
    prefix = tmp_path / "pipx" / "venvs" / "llmprep" if layout == "pipx" else tmp_path / "venv"
    prefix.mkdir(parents=True)
    if layout == "pipx":
        (prefix / "pipx_metadata.json").write_text("{}")
    python = str(prefix / "bin" / "python3")
    monkeypatch.setattr(sys, "prefix", str(prefix))
    monkeypatch.setattr(sys, "executable", python)
    real = importlib.metadata.distribution
    monkeypatch.setattr(
        importlib.metadata,
        "distribution",
        lambda name: FakeDistribution(direct_url) if name == "llmprep" else real(name),
    )
    target = tmp_path / "stats.png"
    result = cli("stats", "--plot", str(target))
    assert result.code == 1 and not target.exists()
    assert result.err.strip() == f"error: --plot needs matplotlib; install it with: {expected.format(python=python)}"


def test_optimize_says_when_there_are_too_few_reviews(cli, isolated: Path, demo_decks: Path) -> None:
    build(cli, isolated, demo_decks)
    result = cli("optimize")
    assert result.code == 0 and "Not enough reviews" in result.out
