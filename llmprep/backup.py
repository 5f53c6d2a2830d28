"""Backups of the database: consistent copies (SQLite's online backup API, never a file copy of a live WAL
database), written under a temporary name and renamed, so a full disk leaves no half-written backup.

Automatic copies go to `backups/` beside the database: one a day on first use (rotated: the newest 7 days and
the newest of each of the 4 weeks before), and one before every schema upgrade and every restore (kept).
"""

from __future__ import annotations

import os
import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from llmprep.errors import StorageError

FOLDER = "backups"
KEEP_DAILY = 7
KEEP_WEEKLY = 4
_NAME = re.compile(r"^(?P<stem>.+)\.(?P<label>[a-z0-9-]+)\.(?P<stamp>\d{8}T\d{6})\.sqlite3$")


@dataclass(frozen=True)
class Backup:
    path: Path
    label: str  # daily | manual | pre-restore | v<N> (before the upgrade from schema N)
    taken_at: datetime


def folder_for(db_path: Path) -> Path:
    return db_path.parent / FOLDER


def listing(db_path: Path) -> list[Backup]:
    """This database's backups in its `backups/` folder, oldest first."""
    folder = folder_for(db_path)
    found = []
    for path in folder.glob(f"{db_path.stem}.*.sqlite3") if folder.is_dir() else ():
        match = _NAME.match(path.name)
        if match and match["stem"] == db_path.stem:
            found.append(Backup(path, match["label"], datetime.strptime(match["stamp"], "%Y%m%dT%H%M%S")))
    return sorted(found, key=lambda b: (b.taken_at, b.path.name))


def newest(db_path: Path) -> Path | None:
    backups = listing(db_path)
    return backups[-1].path if backups else None


def copy_database(source: Path, target: Path) -> Path:
    """A consistent copy of `source` at `target` (temporary name, fsync, rename); removes its partial file on
    any failure and raises StorageError naming what to do."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")  # two processes may back up at once
    try:
        with (
            closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
            closing(sqlite3.connect(partial)) as copy,
        ):
            src.backup(copy)
        with open(partial, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as exc:
        partial.unlink(missing_ok=True)
        raise StorageError(
            f"the backup of {source} to {target} failed ({exc}); free some space or pick another folder. "
            "Nothing was changed."
        ) from None
    return target


def take(db_path: Path, label: str, now: datetime, target: Path | None = None) -> Path:
    """One backup now; into `target` when given, else `backups/<stem>.<label>.<time>.sqlite3`."""
    if target is None:
        target = folder_for(db_path) / f"{db_path.stem}.{label}.{now:%Y%m%dT%H%M%S}.sqlite3"
    return copy_database(db_path, target)


def daily(db_path: Path, now: datetime) -> Path | None:
    """The day's automatic backup, once a day, then rotation; None when today's exists (or no database yet)."""
    if not db_path.is_file():
        return None
    if any(b.label == "daily" and b.taken_at.date() == now.date() for b in listing(db_path)):
        return None
    made = take(db_path, "daily", now)
    rotate(db_path)
    return made


def rotate(db_path: Path) -> list[Path]:
    """Keep the newest KEEP_DAILY daily backups and, older than those, the newest of each of KEEP_WEEKLY ISO
    weeks; remove the other daily ones. Manual, pre-upgrade and pre-restore backups are never removed."""
    dailies = [b for b in listing(db_path) if b.label == "daily"][::-1]  # newest first
    keep = {b.path for b in dailies[:KEEP_DAILY]}
    weeks: set[tuple[int, int]] = set()
    for b in dailies[KEEP_DAILY:]:
        week = b.taken_at.isocalendar()[:2]
        if week not in weeks and len(weeks) < KEEP_WEEKLY:
            weeks.add(week)
            keep.add(b.path)
    removed = [b.path for b in dailies if b.path not in keep]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def restore(db_path: Path, source: Path, now: datetime) -> Path | None:
    """Replace the database's content with `source` (checked first), after backing up the current state; the
    copy goes through SQLite's backup API into the live file, so its WAL stays consistent. Returns the backup
    of the state it replaced (None when there was no database)."""
    check_restorable(source)
    before = take(db_path, "pre-restore", now) if db_path.is_file() else None
    try:
        with (
            closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
            closing(sqlite3.connect(db_path)) as dest,
        ):
            src.backup(dest)
    except sqlite3.Error as exc:
        raise StorageError(
            f"restoring {source} into {db_path} failed ({exc}); the database is as it was"
            + (f", and a copy of it is in {before}" if before else "")
        ) from None
    return before


def check_restorable(source: Path) -> None:
    """`source` is a readable, intact llmprep database, else StorageError saying what it is."""
    from llmprep import store

    if not source.is_file():
        raise StorageError(f"{source} does not exist; `llmprep backup --list` shows the backups")
    try:
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as conn:
            problem = store.identify(conn)
            if problem is None:
                result = conn.execute("PRAGMA quick_check").fetchone()[0]
                problem = None if result == "ok" else f"it is damaged ({result})"
    except sqlite3.Error as exc:
        problem = f"it cannot be read as SQLite ({exc})"
    if problem:
        raise StorageError(f"{source} cannot be restored: {problem}; pick another backup. Nothing was changed.")
