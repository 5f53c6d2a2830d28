"""What a start costs, guarded by mechanism (timings live in benchmarks/): the modules a command imports, the deck
files left unread when nothing changed, and the card read back from the database equal to the deck's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from llmprep import store
from llmprep.workspace import Workspace
from tests.conftest import DEMO_DECK

PROBE = """
import json, sys
from llmprep.cli import run
code = run(sys.argv[1:])
real = [name for name, module in sys.modules.items() if getattr(module, "__spec__", None) is not None]
print("\\nMODULES " + json.dumps(sorted(real)))  # a placeholder module (no spec) is not an import
sys.exit(code)
"""


def _modules(args: list[str], home: Path, stdin: str = "q\n") -> tuple[set[str], str]:
    env = {**os.environ, "LLMPREP_HOME": str(home), "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], input=stdin, capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    out, _, listed = done.stdout.rpartition("\nMODULES ")
    return set(json.loads(listed)), out


def _floor() -> set[str]:
    """What importing the dependency stack alone loads (SQLAlchemy 2.1 itself imports asyncio)."""
    stack = "import json, sys, typer, rich.markdown, sqlalchemy.orm, fsrs; print(json.dumps(sorted(sys.modules)))"
    return set(json.loads(subprocess.check_output([sys.executable, "-c", stack], text=True)))


def test_study_imports_no_grading_no_async_dialect_and_no_deck_parser_on_a_warm_start(
    isolated: Path, demo_decks: Path
) -> None:
    args = ["--decks", str(demo_decks), "study"]
    _modules(args, isolated)  # the first start parses the decks and syncs them
    warm, out = _modules(args, isolated)
    assert "Question one" in out or "show answer" in out
    assert not {m for m in warm if m.split(".")[0] in ("torch", "numpy", "plotext", "matplotlib")}
    assert not {m for m in warm if m.startswith(("llmprep.grading.judge", "llmprep.cli.code", "llmprep.interview"))}
    assert "yaml" not in warm and "pydantic" not in warm  # the deck files are unchanged: none is parsed
    assert "sqlalchemy.connectors.asyncio" not in warm
    assert "sqlalchemy.dialects.sqlite.aiosqlite" not in warm
    assert not {m for m in warm if m.split(".")[0] == "psycopg"}  # only a postgresql URL loads the driver
    assert "asyncio" not in warm - _floor()  # nothing of llmprep's own pulls asyncio in


def test_help_imports_no_torch(isolated: Path) -> None:
    modules, out = _modules(["--help"], isolated, stdin="")
    assert "interview" in out and "study" in out  # every command is listed
    assert not {m for m in modules if m.split(".")[0] in ("torch", "numpy")}


def test_a_changed_deck_file_is_read_again_and_a_broken_one_warned_about_every_time(
    cli, isolated: Path, demo_decks: Path
) -> None:
    args = ("--decks", str(demo_decks), "study", "--deck", "demo", "--new", "1")
    first = cli(*args, input="\nq\n")
    assert "Answer one" in first.out
    deck = demo_decks / "demo.yaml"
    deck.write_text(deck.read_text().replace("Answer one", "Answer one edited"), encoding="utf-8")
    edited = cli(*args, input="\nq\n")
    assert "Answer one edited" in edited.out
    (demo_decks / "broken.yaml").write_text("deck: broken\ncards: [\n", encoding="utf-8")
    for _ in range(2):  # the second start takes the unchanged-files path, and still says it
        result = cli(*args, input="q\n")
        assert result.code == 0 and "broken.yaml" in result.err


def test_a_card_read_from_the_database_equals_the_deck_card(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "demo.yaml").write_text(DEMO_DECK, encoding="utf-8")
    db = tmp_path / "data" / "llmprep.sqlite3"
    assert Workspace.open(db, [decks]).engine  # syncs: writes every card's body
    store.record_clean()
    from_decks = Workspace.open(db, [decks])
    from_db = Workspace.open(db, [decks])
    assert from_db.engine  # the files are unchanged: no deck is read
    assert "decks" not in from_db.__dict__
    ids = list(from_decks.cards)
    assert len(ids) > 400 and any(from_decks.cards[i].points for i in ids)
    for card_id in ids:
        assert from_db.card(card_id) == from_decks.cards[card_id], card_id
    assert "decks" not in from_db.__dict__
    store.record_clean()


@pytest.mark.parametrize("argv, command", [(["--db", "x", "study"], "study"), (["--lang", "en", "-h"], None)])
def test_the_command_is_found_after_global_options(argv: list[str], command: str | None) -> None:
    from llmprep.cli import _command_of

    assert _command_of(argv) == command
