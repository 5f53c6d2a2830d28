"""Reaching the first card of `llmprep study` (and `llmprep --help`) vs Anki's first card, with the floors:
`bench.py --only first-card`. Takes bench.py's options (--quick, --scale, --rounds, ...)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench

if __name__ == "__main__":
    bench.main(["--only", "first-card", *sys.argv[1:]])
