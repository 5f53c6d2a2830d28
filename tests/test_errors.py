"""A database path that cannot work gives one line saying what is wrong and what to do, never a traceback."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import Result

REPO = Path(__file__).resolve().parent.parent
# A read-only bind mount in a private mount namespace: the one read-only place that stops root too.
READ_ONLY_MOUNT = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'


def one_line_error(result: Result) -> str:
    assert result.code == 1, (result.out, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.err
    assert "internal error" not in result.err and "Traceback" not in result.err
    return lines[0]


@pytest.mark.parametrize("command", [["stats"], ["decks"], ["study"], ["config"]], ids=" ".join)
def test_db_that_is_a_folder(cli, tmp_path: Path, command: list[str]) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    line = one_line_error(cli("--db", str(folder), *command))
    assert f"{folder} is a folder, not a database file" in line
    assert f"give --db a file path such as {folder / 'llmprep.sqlite3'}" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "home"]  # no config or deck cache beside it


@pytest.mark.parametrize("below", ["llmprep.sqlite3", "sub/llmprep.sqlite3"])
def test_db_under_a_regular_file(cli, tmp_path: Path, below: str) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a folder")
    line = one_line_error(cli("--db", str(notes / below), "stats"))
    assert f"{notes} is a file, not a folder; give --db a path in a folder" in line


# ---------------------------------------------------------------- read-only databases


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Callable[..., subprocess.CompletedProcess[str]]]:
    """Run llmprep with `folder` read-only: a read-only bind mount as root, the folder's mode bits otherwise."""
    probe = tmp_path / "probe"
    probe.mkdir()
    as_root = os.geteuid() == 0
    if as_root and not (
        shutil.which("unshare")
        and subprocess.run(
            ["unshare", "--mount", "sh", "-c", READ_ONLY_MOUNT, str(probe), "sh", "-c", f"! touch {probe}/x"],
            capture_output=True,
        ).returncode
        == 0
    ):
        pytest.skip("running as root without `unshare --mount` and mount rights: no read-only place to test")
    chmodded: list[Path] = []

    def run(folder: Path, *args: str, input: str = "") -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "NO_COLOR": "1"}
        command = [sys.executable, "-m", "llmprep", "--db", str(folder / "llmprep.sqlite3"), *args]
        if as_root:
            command = ["unshare", "--mount", "sh", "-c", READ_ONLY_MOUNT, str(folder), *command]
        else:
            folder.chmod(0o555)
            for child in folder.iterdir():
                child.chmod(0o444)
            chmodded.append(folder)
        return subprocess.run(command, input=input, capture_output=True, text=True, env=env, cwd=REPO, timeout=60)

    yield run
    for folder in chmodded:
        folder.chmod(0o755)
        for child in folder.iterdir():
            child.chmod(0o644)


@pytest.mark.parametrize("wal", [False, True], ids=["closed", "wal-pending"])
def test_read_only_database_reads_and_refuses_writes(
    cli, read_only, tmp_path: Path, demo_decks: Path, wal: bool
) -> None:
    """`stats` and `decks` read it; writing commands refuse with one line; the file is not touched.

    wal-pending: another connection holds a change still in the -wal file; a read-only open must see it.
    """
    data = tmp_path / "data"
    db = data / "llmprep.sqlite3"
    assert cli("--db", str(db), "--decks", str(demo_decks), "study", "--deck", "demo", input="\n3\nq\n").code == 0
    gc.collect()  # the in-process engine closes: its -wal and -shm files go
    assert sorted(p.name for p in data.iterdir()) == ["deck-cache.json", "llmprep.sqlite3", "llmprep.sqlite3-checked"]
    with contextlib.closing(sqlite3.connect(db)) as writer:
        if wal:
            writer.execute("PRAGMA journal_mode = WAL")
            writer.execute("PRAGMA wal_autocheckpoint = 0")
            writer.execute("UPDATE cards SET suspended = 1 WHERE id = 'demo-two'")
            writer.commit()
            assert (data / "llmprep.sqlite3-wal").stat().st_size > 0
        before = _sha(db)
        decks = ("--decks", str(demo_decks))

        stats = read_only(data, *decks, "stats", "--json")
        assert stats.returncode == 0, stats.stderr
        report = json.loads(stats.stdout)
        assert report["reviews"] == 1
        demo = next(row for row in report["decks"] if row["name"] == "demo")
        assert demo["suspended"] == (1 if wal else 0), demo

        listing = read_only(data, *decks, "decks")
        assert listing.returncode == 0, listing.stderr
        assert "demo" in listing.stdout

        for args, stdin in ((("decks", "unsuspend", "demo-two"), ""), (("study", "--deck", "demo"), "\n3\nq\n")):
            refused = read_only(data, *decks, *args, input=stdin)
            assert refused.returncode == 1, refused.stderr
            line = refused.stderr.strip().splitlines()[-1]
            assert line.startswith(f"error: {db} is read-only"), refused.stderr
            assert "make the file and its folder writable, or copy the file and pass --db COPY" in line
            assert "Traceback" not in refused.stderr and "internal error" not in refused.stderr
            assert "Question" not in refused.stdout  # refused before the first card, not at the first rating
        assert _sha(db) == before


def test_database_cannot_be_created_in_a_read_only_folder(read_only, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    done = read_only(data, "stats")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"error: cannot create the database {data / 'llmprep.sqlite3'}: the folder {data} is read-only; "
        "make it writable, or point --db at a file in a folder you can write"
    )


@pytest.mark.parametrize("command", [["stats"], ["study"], ["config", "new_per_day", "5"], ["config"]], ids=" ".join)
def test_a_folder_at_the_config_path(cli, isolated: Path, command: list[str]) -> None:
    (isolated / "config.toml").unlink()
    (isolated / "config.toml").mkdir()
    line = one_line_error(cli(*command))
    assert "config.toml is a folder" in line and "move the folder away" in line
    assert (isolated / "config.toml").is_dir()  # nothing replaced it
