"""Which coding cards exist, read from the package folders without importing torch."""

from __future__ import annotations

from pathlib import Path

CARDS_DIR = Path(__file__).parent / "cards"


def names() -> list[str]:
    return sorted(p.name for p in CARDS_DIR.iterdir() if (p / "checks.py").is_file())


def card_dir(name: str) -> Path:
    return CARDS_DIR / name
