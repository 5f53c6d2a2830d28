"""A full disk, made real with RLIMIT_FSIZE (writes past the limit fail with EFBIG, as ENOSPC would): one
clear line, no half-written file left behind, nothing lost."""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _limited(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def _run(
    home: Path, args: list[str], limit: int, stdin: str = "", now: str = "2026-01-05T09:00:00+00:00"
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LLMPREP_HOME": str(home), "NO_COLOR": "1", "LLMPREP_NOW": now}
    return subprocess.run(
        [sys.executable, "-m", "llmprep", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limited(limit),
    )


def test_the_deck_cache_on_a_full_disk_leaves_no_partial_file(isolated: Path) -> None:
    result = _run(isolated, ["decks"], limit=64 * 1024)  # the cache of the built-in decks is megabytes
    leftovers = [p.name for p in isolated.iterdir() if p.name.endswith((".tmp", ".partial"))]
    assert leftovers == [], leftovers
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr


@pytest.mark.parametrize("limit", [0, 4096, 32768, None], ids=["nothing", "4k", "32k", "db-size"])
def test_study_on_a_full_disk_is_one_line_and_loses_nothing(
    isolated: Path, demo_decks: Path, limit: int | None
) -> None:
    decks = ["--decks", str(demo_decks)]
    assert _run(isolated, [*decks, "study", "--deck", "demo"], limit=1 << 40, stdin="\n3\nq\n").returncode == 0
    db = isolated / "llmprep.sqlite3"
    full = _run(
        isolated,
        [*decks, "study", "--deck", "demo"],
        limit=db.stat().st_size if limit is None else limit,
        stdin="\n3\n\n3\n\n3\nq\n",
        now="2026-01-06T09:00:00+00:00",  # a new day: the daily backup is due too
    )
    assert "Traceback" not in full.stderr and "internal error" not in full.stderr, full.stderr
    assert "damaged" not in full.stderr, full.stderr  # a full disk is not a damaged file
    if full.returncode != 0:
        assert "is the disk full?" in full.stderr, full.stderr
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        logged = conn.execute("SELECT count(*) FROM review_log").fetchone()[0]
    assert logged == 1 + full.stdout.count("recorded ")  # what was shown as recorded is there, nothing else
    assert not [p.name for p in isolated.rglob("*") if p.name.endswith((".tmp", ".partial"))]


def test_config_on_a_full_disk_is_one_line(isolated: Path) -> None:
    result = _run(isolated, ["config", "new_per_day", "50"], limit=0)
    assert result.returncode != 0 and "cannot write" in result.stderr and "Traceback" not in result.stderr
    assert not list(isolated.glob("*.tmp"))
