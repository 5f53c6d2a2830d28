"""Wall time of `llmprep --help` and of reaching the first card of `llmprep study` with 10,000 cards and
1,000,000 review-log rows, as ratios to `python -c pass` and to importing the dependency stack."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import baselines, build_history, command, median_seconds, report


def first_card(env: dict[str, str]) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "llmprep", "study", "--lang", "en"],
        env=env,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stdin is not None
    for line in proc.stdout:
        if "Enter: show answer" in line:
            break
    else:
        raise RuntimeError(f"no card shown: {proc.stderr.read() if proc.stderr else ''}")
    proc.stdin.write("q\n")
    proc.stdin.flush()
    proc.communicate(timeout=60)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home, decks = Path(tmp) / "home", Path(tmp) / "decks"
        started = time.perf_counter()
        build_history(home, decks)
        print(f"built 10,000 cards and 1,000,000 review rows in {time.perf_counter() - started:.0f}s")
        env = {**os.environ, "LLMPREP_HOME": str(home), "LLMPREP_DECKS": str(decks), "NO_COLOR": "1"}
        first_card(env)  # warm the deck cache, as every day after the first
        figures = baselines()
        figures["llmprep --help"] = median_seconds(command([sys.executable, "-m", "llmprep", "--help"], env))
        figures["first card of llmprep study"] = median_seconds(lambda: first_card(env))
    report("startup (median of 7)", figures, "dependency stack import", goal=1.25)


if __name__ == "__main__":
    main()
