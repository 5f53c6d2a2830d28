"""Wall time of `llmprep stats --json` over 10,000 cards and 1,000,000 review-log rows, as ratios to
`python -c pass` and to importing the dependency stack."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import baselines, build_history, command, median_seconds, report


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home, decks = Path(tmp) / "home", Path(tmp) / "decks"
        started = time.perf_counter()
        build_history(home, decks)
        print(f"built 10,000 cards and 1,000,000 review rows in {time.perf_counter() - started:.0f}s")
        env = {**os.environ, "LLMPREP_HOME": str(home), "LLMPREP_DECKS": str(decks)}
        stats = command([sys.executable, "-m", "llmprep", "stats", "--json"], env)
        stats()  # warm the deck cache and the OS page cache
        figures = baselines(5)
        figures["llmprep stats --json"] = median_seconds(stats, 5)
    report("stats over 1M reviews (median of 5)", figures, "dependency stack import", goal=2.0)


if __name__ == "__main__":
    main()
