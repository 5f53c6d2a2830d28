"""The coaching editor loop: progressive hints (`h`), a timed attempt, and the reference after a pass (`r`)."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from llmprep.cli.code import parse_duration
from llmprep.errors import UsageError

ROOT = Path(__file__).parent.parent
SOLUTION = ROOT / "solutions" / "mha.py"


def _editor(tmp_path: Path) -> Path:
    """Leaves the template on the first call (a failing attempt), writes the reference on the second."""
    editor = tmp_path / "second-time-lucky"
    calls = tmp_path / "calls"
    editor.write_text(f'#!/bin/sh\necho x >> {calls}\n[ "$(wc -l < {calls})" -ge 2 ] && cp {SOLUTION} "$1"\nexit 0\n')
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    return editor


@pytest.mark.slow
def test_hints_time_and_reference_in_the_editor_loop(isolated: Path, tmp_path: Path) -> None:
    env = {**os.environ, "EDITOR": str(_editor(tmp_path)), "VISUAL": ""}
    done = subprocess.run(
        [sys.executable, "-m", "llmprep", "code", "mha", "--device", "cpu", "--timed"],
        env=env,
        input="h\nh\ne\nr\n",
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "time left:" in out and "of 20:00" in out  # a bare --timed: the card's own budget
    assert out.count("hint 1/1 for") == 2  # two failing checks, one hint each revealed
    assert "all checks pass" in out
    assert "reference" in out and "def _split" in out  # `r`: the reference beside the user's code
    with closing(sqlite3.connect(isolated / "llmprep.sqlite3")) as conn:
        attempts = conn.execute("SELECT passed, hints_used, session_s FROM attempts ORDER BY id").fetchall()
        rating = conn.execute("SELECT rating FROM review_log ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert [a[0] for a in attempts] == [0, 1]
    assert attempts[-1][1] == 2 and attempts[-1][2] > 0
    assert rating == 2  # a pass with hints is at most Hard


def test_hints_are_shown_only_on_request_in_the_loop_but_in_file_mode(cli, isolated: Path) -> None:
    template = ROOT / "llmprep" / "grading" / "cards" / "layernorm" / "template.py"
    result = cli("code", "layernorm", "--file", str(template), "--device", "cpu")
    assert result.code == 1 and "hint:" in result.out  # one-shot grading shows the first hint at once


@pytest.mark.parametrize(
    ("text", "seconds"), [("20m", 1200), ("90s", 90), ("1h", 3600), ("15", 900), ("card", 600), ("1.5m", 90)]
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text, card_minutes=10) == seconds


@pytest.mark.parametrize("text", ["soon", "-5m", "0"])
def test_bad_durations_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError):
        parse_duration(text, card_minutes=10)


def test_timed_with_file_is_a_usage_error(cli, tmp_path: Path) -> None:
    result = cli("code", "mha", "--file", str(SOLUTION), "--timed", "5m")
    assert result.code == 2 and "--timed" in result.err


@pytest.mark.slow
def test_quitting_after_a_hint_keeps_the_attempt_and_rates_nothing(isolated: Path, tmp_path: Path) -> None:
    lazy = tmp_path / "lazy-editor"
    lazy.write_text("#!/bin/sh\nexit 0\n")  # leaves the template: every check fails
    lazy.chmod(lazy.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "EDITOR": str(lazy), "VISUAL": ""}
    done = subprocess.run(
        [sys.executable, "-m", "llmprep", "code", "layernorm", "--device", "cpu"],
        env=env,
        input="h\nq\n",
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "hint 1/1 for" in done.stdout and "hint:" not in done.stdout.split("hint 1/1")[0]  # only on request
    with closing(sqlite3.connect(isolated / "llmprep.sqlite3")) as conn:
        # an attempt counts the hints seen before it was graded; this one was graded before the hint
        assert conn.execute("SELECT passed, hints_used FROM attempts").fetchall() == [(0, 0)]
        assert conn.execute("SELECT count(*) FROM review_log").fetchone()[0] == 0  # quitting rates nothing
