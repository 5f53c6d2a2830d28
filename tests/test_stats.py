"""`llmprep stats`: exact numbers over a history built with an injected clock, the empty screen, 80 columns."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

from rich.console import Console

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


def build(cli, isolated: Path, decks: Path) -> None:
    """Studies on Jan 1, 2, 3, then 5 and 6 (a gap on the 4th); demo-two is a leech; one coding card."""
    (isolated / "config.toml").write_text("fuzz = false\nday_starts_at = 0\n")
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
        rows,
    )
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


def test_plot_needs_matplotlib_or_writes_png(cli, isolated: Path, demo_decks: Path, tmp_path: Path) -> None:
    build(cli, isolated, demo_decks)
    target = tmp_path / "stats.png"
    result = cli("--decks", str(demo_decks), "stats", "--plot", str(target), now=day(6, 20))
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert result.code == 1 and "pip install 'llmprep[plot]'" in result.err
    else:
        assert result.code == 0 and target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_optimize_says_when_there_are_too_few_reviews(cli, isolated: Path, demo_decks: Path) -> None:
    build(cli, isolated, demo_decks)
    result = cli("optimize")
    assert result.code == 0 and "Not enough reviews" in result.out
