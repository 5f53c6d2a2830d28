"""`llmprep study` in a real pseudo-terminal, killed with SIGKILL at random points (mid-render, between a
rating and the next card, during undo): every rating shown as recorded is in the log exactly once, no rating
appears that was not asked for, the file stays intact and the next session starts cleanly."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import sys
import time
from contextlib import closing
from pathlib import Path

import pexpect
import pytest

from tests.conftest import numbered_deck

pytestmark = pytest.mark.slow

KILLS = 30


def _logged(db: Path) -> int:
    if not db.exists():
        return 0
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT count(*) FROM review_log").fetchone()[0]


def test_sigkill_at_random_points_loses_and_invents_nothing(isolated: Path, tmp_path: Path) -> None:
    home = isolated
    demo_decks = numbered_deck(tmp_path / "decks", "demo", 60)
    (home / "config.toml").write_text("fuzz = false\nnew_per_day = 500\n")
    env = {
        **os.environ,
        "LLMPREP_HOME": str(home),
        "NO_COLOR": "1",
        "TZ": "UTC",
        "LLMPREP_NOW": "2026-01-05T09:00:00+00:00",
    }
    db = home / "llmprep.sqlite3"
    rng = random.Random(20261203)
    total_shown = 0
    for kill in range(KILLS):
        env["LLMPREP_NOW"] = f"2026-01-{5 + kill // 2:02d}T{9 + kill % 2 * 6:02d}:00:00+00:00"  # cards come due again
        before = _logged(db)
        child = pexpect.spawn(
            sys.executable,
            ["-m", "llmprep", "--decks", str(demo_decks), "study", "--deck", "demo", "--cram"]
            if kill % 5 == 4
            else ["-m", "llmprep", "--decks", str(demo_decks), "study", "--deck", "demo", "--new", "500"],
            env=env,
            dimensions=(35, 100),
            encoding="utf-8",
            timeout=30,
        )
        child.expect(["show answer", "Nothing", "nothing"])  # keys typed before the drill reads them would be lost
        shown, asked = 0, 0
        keys = [rng.choice(["\r", "3", "1", "u", "\r", "4"]) for _ in range(rng.randint(1, 8))]
        for key in keys:
            time.sleep(rng.uniform(0.0, 0.25))
            child.send(key)
            asked += key in "1234"
        time.sleep(rng.uniform(0.0, 0.3))  # mid-render, mid-commit or idle at a prompt
        child.kill(signal.SIGKILL)
        child.expect(pexpect.EOF)
        shown = ((child.before or "") + (child.after if isinstance(child.after, str) else "")).count("recorded ")
        total_shown += shown
        child.close()
        after = _logged(db)
        undos = keys.count("u")
        # every rating shown as recorded is there (an undo may remove one); none beyond the keys pressed
        assert after - before <= asked, f"kill {kill}: {after - before} new rows for {asked} rating keys {keys}"
        assert after - before >= shown - undos, f"kill {kill}: {shown} shown recorded, {after - before} rows"
        if db.exists():
            with closing(sqlite3.connect(db)) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert total_shown >= 10 and _logged(db) >= 10  # the kills did land between real ratings
    clean = pexpect.spawn(  # the next session starts cleanly after all that
        sys.executable,
        ["-m", "llmprep", "--decks", str(demo_decks), "study", "--deck", "demo"],
        env=env,
        encoding="utf-8",
        timeout=60,
    )
    clean.expect(["show answer", "Nothing", "nothing"])
    clean.send("q")
    clean.expect(pexpect.EOF)
    clean.close()
    assert clean.exitstatus == 0, clean.before
