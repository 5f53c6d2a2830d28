"""`llmprep interview`: a scripted round in a subprocess with an injected clock (report numbers, schedule, JSON
keys), confirmation and zh report, choice of questions, Ctrl-C, the countdown line, history and stats, torch."""

from __future__ import annotations

import io
import json
import os
import selectors
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from llmprep import config, interview, scheduler, store
from llmprep.cli import interview as cli_interview
from tests.conftest import points_deck

ROOT = Path(__file__).parent.parent
START = datetime.fromisoformat("2026-01-05T09:00:00+00:00")
FULL = "kw one, kw two, kw three, kw four"
ONLY = ("--deck", "ta", "--deck", "tb")  # the test decks, not the built-in ones
REPORT_KEYS = {
    "id",
    "started_at",
    "finished_at",
    "minutes",
    "seed",
    "lang",
    "ended",
    "planned",
    "answered",
    "elapsed_s",
    "over_time",
    "score",
    "concept",
    "coding",
    "questions",
    "work_on",
}
QUESTION_KEYS = {
    "n",
    "card",
    "deck",
    "tags",
    "stage",
    "budget_s",
    "time_s",
    "over_budget",
    "points_total",
    "points_hit",
    "coverage",
    "hit",
    "missed",
    "suggested",
    "rating",
    "verdict",
}

# The CLI in a fresh interpreter whose clock moves 25 s with every line the user types (an injected clock, as
# the tests of `study` do in-process); it says on stderr whether torch was imported.
TYPING = """
import sys
from datetime import datetime, timedelta
from llmprep import clock
from llmprep.cli import run

now = [datetime.fromisoformat("2026-01-05T09:00:00+00:00")]
clock.now = lambda: now[0]


class Typing:
    def __init__(self, stream):
        self.stream = stream

    def isatty(self):
        return False

    def readline(self):
        now[0] += timedelta(seconds=25)
        return self.stream.readline()


sys.stdin = Typing(sys.stdin)
code = run(sys.argv[1:])
print("TORCH" if "torch" in sys.modules else "NO-TORCH", file=sys.stderr)
sys.exit(code)
"""


def rows(home: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(home / "llmprep.sqlite3") as conn:
        return conn.execute(sql).fetchall()


def typing_run(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", TYPING, *args], input=stdin, capture_output=True, text=True, timeout=120
    )


def test_a_scripted_interview_reports_scores_and_rates_the_cards(isolated: Path, tmp_path: Path) -> None:
    decks = str(points_deck(tmp_path / "decks"))
    # 12 minutes, no coding: four concept questions of 3 minutes. Each line takes 25 s:
    # Q1 every point in 2 lines (50 s: fast, Easy), Q2 every point in 3 lines (75 s: Good),
    # Q3 half the points (Hard), Q4 nothing (Again); --yes applies each suggestion
    stdin = f"{FULL}\n\n" + "kw one, kw two\nkw three, kw four\n\n" + "kw one and kw two\n\n" + "no idea\n\n"
    args = ("--decks", decks, "interview", *ONLY, "--minutes", "12", "--coding", "0", "--seed", "3", "--json", "--yes")
    done = typing_run(*args, stdin=stdin)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)  # stdout is one JSON document; the screens went to stderr
    assert set(report) == REPORT_KEYS
    questions = report["questions"]
    assert all(set(q) == QUESTION_KEYS for q in questions)
    assert [q["stage"] for q in questions] == ["warm-up", "follow-up", "warm-up", "follow-up"]
    assert questions[0]["deck"] == questions[1]["deck"] != questions[2]["deck"] == questions[3]["deck"]
    assert [q["time_s"] for q in questions] == [50.0, 75.0, 50.0, 50.0]
    assert [q["coverage"] for q in questions] == [1.0, 1.0, 0.5, 0.0]
    assert [q["suggested"] for q in questions] == [4, 3, 2, 1]
    assert [q["rating"] for q in questions] == [4, 3, 2, 1]
    assert questions[2]["missed"] == ["point three", "point four"] and questions[2]["hit"] == ["point one", "point two"]
    assert report["score"] == 62.5  # (1 + 1 + 0.5 + 0) / 4, equal budgets
    assert report["concept"] == {"answered": 4, "mean_coverage": 0.625}
    assert report["coding"] == {"answered": 0, "passed": 0}
    assert (report["planned"], report["answered"], report["ended"]) == (4, 4, "completed")
    assert report["elapsed_s"] == 9 * 25.0 and report["over_time"] is False
    weak_deck = questions[2]["deck"]
    assert report["work_on"] == [
        {"topic": weak_deck, "kind": "deck", "score": 25.0},
        {"topic": f"{weak_deck}-tag", "kind": "tag", "score": 25.0},
    ]
    # the schedule: four cards rated through the Reviewer, each typed answer stored with its rating
    asked = [q["card"] for q in questions]
    assert rows(isolated, "select card_id, rating from review_log order by id") == list(
        zip(asked, [4, 3, 2, 1], strict=True)
    )
    assert sorted(card for (card,) in rows(isolated, "select card_id from card_state")) == sorted(asked)
    assert rows(isolated, "select points_hit, typed_s from answers order by review_log_id") == [
        (4, 50.0),
        (4, 75.0),
        (2, 50.0),
        (0, 50.0),
    ]
    ((score, minutes, stored),) = rows(isolated, "select score, minutes, report from interviews")
    assert (score, minutes) == (62.5, 12) and json.loads(stored) == report
    # the countdown on stderr: plain lines (not a terminal), the round and the question
    assert "round: 12:00 left of 12:00 · Q1/4 warm-up: 3:00 left" in done.stderr
    assert "\x1b[" not in done.stderr
    # the same seed on the same history chooses the same questions
    again = typing_run("--db", str(tmp_path / "other.sqlite3"), *args, stdin=stdin)
    assert [q["card"] for q in json.loads(again.stdout)["questions"]] == asked


def test_no_torch_without_coding(isolated: Path, tmp_path: Path) -> None:
    decks = str(points_deck(tmp_path / "decks"))
    done = typing_run(
        "--decks", decks, "interview", *ONLY, "--minutes", "6", "--coding", "0", "--yes", stdin=f"{FULL}\n\n"
    )
    assert done.returncode == 0, done.stderr
    assert "NO-TORCH" in done.stderr
    assert "score 100.0 / 100 · 1 of 2 questions answered" in done.stdout  # input ended after the first


def test_confirmed_ratings_and_a_zh_report(cli, isolated: Path, tmp_path: Path) -> None:
    decks = str(points_deck(tmp_path / "decks"))
    # Q1: every point, Enter takes the suggestion (Easy: the pinned clock makes it fast); Q2: one point,
    # suggestion Again overridden with 3
    script = f"{FULL}\n\n\n" + "要点二\n\n3\n"
    result = cli("--decks", decks, "interview", *ONLY, "--minutes", "6", "--coding", "0", "--lang", "zh", input=script)
    assert result.code == 0, result.err
    assert rows(isolated, "select rating from review_log order by id") == [(4,), (3,)]
    assert "面试报告" in result.out and "得分 62.5" in result.out  # (1 + 0.25) / 2
    for point in ("要点一", "要点三", "要点四"):
        assert f"漏掉（第 2 题）：{point}" in result.out
    assert "漏掉（第 2 题）：要点二" not in result.out
    history = json.loads(cli("--decks", decks, "interview", "--history", "--json").out)
    assert [(h["id"], h["score"], h["answered"], h["planned"], h["ended"]) for h in history] == [
        (1, 62.5, 2, 2, "completed")
    ]
    assert "62.5" in cli("--decks", decks, "interview", "--history").out
    stats = json.loads(cli("--decks", decks, "stats", "--json").out)
    assert stats["interviews"] == {"count": 1, "mean_score": 62.5, "trend": [{"date": "2026-01-05", "score": 62.5}]}
    assert "Mock interviews: 1 · mean score 62" in cli("--decks", decks, "stats").out


def test_q_ends_the_interview_with_the_report_of_what_was_answered(cli, isolated: Path, tmp_path: Path) -> None:
    decks = str(points_deck(tmp_path / "decks"))
    result = cli("--decks", decks, "interview", *ONLY, "--minutes", "12", "--coding", "0", input=f"{FULL}\n\n\nq\n")
    assert result.code == 0, result.err
    assert "1 of 4 questions answered" in result.out
    (report,) = [json.loads(r) for (r,) in rows(isolated, "select report from interviews")]
    assert (report["ended"], report["answered"], report["score"]) == ("quit", 1, 100.0)


def test_weak_and_due_cards_come_first(isolated: Path, tmp_path: Path) -> None:
    from llmprep import decks as deck_loader

    folder = points_deck(tmp_path / "decks", names=("ta",), n=5)
    (cards_deck,) = deck_loader.load([folder], None, set())
    cards = list(cards_deck.cards)
    engine = store.open_engine(isolated / "llmprep.sqlite3")
    from sqlalchemy.orm import Session

    with Session(engine) as session, session.begin():
        store.sync_cards(session, cards, START)
    cfg = config.Config(fuzz=False)
    reviewer = scheduler.Reviewer(engine, cfg)
    reviewer.rate("ta-3", reviewer.outcomes("ta-3", START)[1], START, 1000)  # a lapse: due again in a minute
    plan = interview.plan(engine, cfg, cards, scheduler.Filters(), 9, 0, 5, START.replace(hour=10))
    assert len(plan.questions) == 3 and plan.questions[0].card_id == "ta-3"
    same = interview.plan(engine, cfg, cards, scheduler.Filters(), 9, 0, 5, START.replace(hour=10))
    assert same.questions == plan.questions  # the seed decides the order among equals


def _read_until(stream: io.TextIOBase, marker: str, timeout: float) -> str:
    """Read a pipe until `marker` shows up (or fail after `timeout` s)."""
    selector = selectors.DefaultSelector()
    selector.register(stream, selectors.EVENT_READ)
    seen = ""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        assert time.monotonic() < deadline, seen
        if selector.select(timeout=1):
            line = stream.readline()
            assert line, seen
            seen += line
    return seen


def test_ctrl_c_keeps_what_was_answered(isolated: Path, tmp_path: Path) -> None:
    decks = str(points_deck(tmp_path / "decks"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "llmprep", "--decks", decks, "interview", *ONLY, "--minutes", "12", "--coding", "0"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(f"{FULL}\n\n\n")  # the first answer, its suggestion taken
        proc.stdin.flush()
        shown = _read_until(proc.stdout, "Q2/4", timeout=60)  # rated, and the second question is waiting
        assert "rated Easy" in shown
        proc.send_signal(signal.SIGINT)
        rest, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "interrupted" in rest and "Interview report" in rest and "1 of 4 questions answered" in rest
    assert rows(isolated, "select rating from review_log") == [(4,)]
    assert rows(isolated, "select points_hit from answers") == [(4,)]
    (report,) = [json.loads(r) for (r,) in rows(isolated, "select report from interviews")]
    assert (report["ended"], report["answered"], report["score"]) == ("interrupted", 1, 100.0)


QUESTION = interview.Question("c", "d", (), "follow-up", 180.0)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("elapsed", "spent"), [(0.0, 0.0), (2700.0 - 61.0, 150.0), (2700.0 + 754.0, 400.0)])
def test_countdown_fits_80_columns_styled_and_plain(lang: str, elapsed: float, spent: float) -> None:
    line = cli_interview.countdown(2700.0, elapsed, 12, 14, QUESTION, spent, lang)
    styled = Console(file=io.StringIO(), width=80, force_terminal=True, color_system="standard", no_color=False)
    cli_interview.show_countdown(styled, line)
    text = styled.file.getvalue()  # type: ignore[attr-defined]
    assert "\x1b[" in text and text.count("\n") == 1
    assert cell_len(line[0]) + 1 + cli_interview.BAR_CELLS <= 80  # the bar fits beside the text
    for console in (
        Console(file=io.StringIO(), width=80),  # not a terminal
        Console(file=io.StringIO(), width=80, force_terminal=True, no_color=True),  # NO_COLOR
    ):
        cli_interview.show_countdown(console, line)
        plain = console.file.getvalue()  # type: ignore[attr-defined]
        assert "\x1b" not in plain and plain == line[0] + "\n"
    if elapsed > 2700:
        assert ("over" if lang == "en" else "超时") in line[0]


def test_no_color_env_gives_plain_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    console = Console(file=io.StringIO(), width=80, force_terminal=True)
    line = cli_interview.countdown(2700.0, 100.0, 1, 14, QUESTION, 0.0, "en")
    cli_interview.show_countdown(console, line)
    assert console.file.getvalue() == "round: 43:20 left of 45:00 · Q1/14 follow-up: 3:00 left\n"  # type: ignore[attr-defined]


@pytest.mark.slow
def test_a_coding_question_is_graded_and_reported(isolated: Path, tmp_path: Path) -> None:
    decks = str(points_deck(tmp_path / "decks"))
    editor = tmp_path / "editor.sh"  # "writes" the reference solution of the card it is opened on
    editor.write_text(f'#!/bin/sh\ncp "{ROOT}/solutions/$(basename "$1")" "$1"\n')
    editor.chmod(0o755)
    # budget: the coding card's own minutes + one 3-minute concept question
    env = {**os.environ, "EDITOR": str(editor), "VISUAL": ""}
    args = ["--decks", decks, "interview", *ONLY, "--minutes", "5", "--coding", "1", "--seed", "1", "--json", "--yes"]
    done = subprocess.run(
        [sys.executable, "-m", "llmprep", *args],
        input=f"{FULL}\n\n" + "\n",  # the concept answer, then Enter after the pass
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [q["stage"] for q in report["questions"]] == ["warm-up", "coding"]
    verdict = report["questions"][1]["verdict"]
    assert verdict["passed"] is True and verdict["checks_passed"] == verdict["checks_total"] > 0
    assert report["coding"] == {"answered": 1, "passed": 1} and report["score"] == 100.0
