"""`llmprep stats --json` vs Anki's graphs + studied_today, with the floors: `bench.py --only stats`. Takes
bench.py's options (--quick, --scale, --rounds, ...)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench

if __name__ == "__main__":
    bench.main(["--only", "stats", *sys.argv[1:]])
