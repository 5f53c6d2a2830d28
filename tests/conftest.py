from __future__ import annotations

import io
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.pg import pg_server, pg_url  # noqa: F401 (fixtures: a real PostgreSQL server, a database per test)

DEMO_DECK = """\
deck: demo
title: {zh: 演示, en: Demo}
cards:
  - id: demo-one
    tags: [alpha]
    q: {zh: 问题一, en: Question one}
    a: {zh: 答案一, en: Answer one}
    pitfall: {zh: 误区一, en: Pitfall one}
    sources: ["Paper 2020, §1"]
  - id: demo-two
    tags: [beta]
    q: {zh: 问题二, en: Question two}
    a: {zh: 答案二, en: Answer two}
    sources: ["Paper 2021, §2"]
  - id: demo-three
    tags: [alpha, beta]
    q: {zh: 问题三, en: Question three}
    a: {zh: 答案三, en: Answer three}
    sources: ["Paper 2022, §3"]
"""


def numbered_deck(folder: Path, deck: str, n: int) -> Path:
    """A folder holding one deck of `n` plain QA cards `<deck>-0`... (for tests that need many cards)."""
    folder.mkdir()
    cards = "".join(
        f"  - id: {deck}-{i}\n    q: {{zh: 问{i}, en: Question {i}}}\n    a: {{zh: 答{i}, en: A{i}}}\n"
        for i in range(n)
    )
    (folder / f"{deck}.yaml").write_text(f"deck: {deck}\ntitle: {{zh: 卡, en: Cards}}\ncards:\n{cards}", "utf-8")
    return folder


def as_schema_v3(conn: sqlite3.Connection) -> None:
    """Turn a database back into schema v3, as releases before 0.2 wrote it: the review log with text times and
    JSON states, no review_slots, answers, interviews or cards.body. The states are made up (v4 keeps none); the migration
    drops them anyway."""
    conn.executescript(
        """
        DROP TABLE IF EXISTS answers;
        DROP TABLE IF EXISTS interviews;
        ALTER TABLE cards DROP COLUMN body;
        ALTER TABLE review_log RENAME TO review_log_v4;
        DROP INDEX ix_review_log_card;
        CREATE TABLE review_log (
            id INTEGER NOT NULL PRIMARY KEY, card_id VARCHAR NOT NULL REFERENCES cards (id), rating INTEGER NOT NULL,
            reviewed_at DATETIME NOT NULL, duration_ms INTEGER, kind VARCHAR NOT NULL, scheduled_days FLOAT,
            elapsed_days FLOAT, state_before JSON, state_after JSON);
        INSERT INTO review_log SELECT id, card_id, rating,
            strftime('%Y-%m-%d %H:%M:%f000', reviewed_at / 1000.0, 'unixepoch'), duration_ms, kind,
            scheduled_days, NULL, NULL, '{"state": 2, "stability": 3.5}' FROM review_log_v4;
        DROP TABLE review_log_v4;
        CREATE INDEX ix_review_log_card_time ON review_log (card_id, reviewed_at);
        CREATE INDEX ix_review_log_time ON review_log (reviewed_at);
        DROP TABLE review_slots;
        PRAGMA user_version = 3;
        """
    )


KEYWORDS = ("kw one", "kw two", "kw three", "kw four")  # the `match` of each point of a points_deck card


def points_deck(folder: Path, names: tuple[str, ...] = ("ta", "tb"), n: int = 3) -> Path:
    """A folder of decks whose QA cards `<deck>-<i>` (tag `<deck>-tag`) have four key points each, made by the
    words of KEYWORDS (point one: "kw one" or "要点一"...): an answer's coverage is known whatever card is asked."""
    folder.mkdir()
    for name in names:
        cards = ""
        for i in range(n):
            points = "".join(
                f"      - {{zh: 要点{z}, en: point {word.split()[1]}, match: [{word!r}, 要点{z}]}}\n"
                for z, word in zip("一二三四", KEYWORDS, strict=True)
            )
            cards += (
                f"  - id: {name}-{i}\n    tags: [{name}-tag]\n"
                f"    q: {{zh: 问题 {name} {i}, en: Question {name} {i}}}\n"
                f"    a: {{zh: '答：{', '.join(KEYWORDS)}', en: 'A: {', '.join(KEYWORDS)}'}}\n"
                f"    points:\n{points}"
            )
        (folder / f"{name}.yaml").write_text(
            f"deck: {name}\ntitle: {{zh: 卡 {name}, en: Deck {name}}}\ncards:\n{cards}", "utf-8"
        )
    return folder


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data dir, a fixed time zone and a fixed clock."""
    home = tmp_path / "home"
    monkeypatch.setenv("LLMPREP_HOME", str(home))
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("LLMPREP_NOW", "2026-01-05T09:00:00+00:00")
    monkeypatch.delenv("LLMPREP_DECKS", raising=False)
    monkeypatch.delenv("LLMPREP_DB", raising=False)
    monkeypatch.delenv("LLMPREP_DEBUG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    import time

    time.tzset()
    home.mkdir()
    (home / "config.toml").write_text("fuzz = false\n")
    return home


@pytest.fixture
def demo_decks(tmp_path: Path) -> Path:
    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "demo.yaml").write_text(DEMO_DECK, encoding="utf-8")
    return folder


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run llmprep in-process with `input` as a non-TTY stdin (read line by line)."""

    def invoke(*args: str, input: str = "", now: str | None = None) -> Result:
        from llmprep.cli import run

        if now is not None:
            monkeypatch.setenv("LLMPREP_NOW", now)
        monkeypatch.setattr(sys, "stdin", io.StringIO(input))
        capsys.readouterr()
        code = run(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke
