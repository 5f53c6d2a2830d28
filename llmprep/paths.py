"""Where user data lives: --db, then LLMPREP_DB (a file path, or a PostgreSQL URL), then LLMPREP_HOME, then the
platform's user data dir."""

from __future__ import annotations

import os
import re
from pathlib import Path

from llmprep.errors import StorageError

APP_NAME = "llmprep"


def home() -> Path:
    override = os.environ.get("LLMPREP_HOME")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(value: str) -> bool:
    """`postgresql+psycopg://user@host/db` and the like: a database on a server, not a file."""
    return bool(_URL.match(value))


def _given(db_option: str | Path | None) -> str | Path | None:
    """--db, else LLMPREP_DB, else None."""
    if db_option is not None:
        return db_option
    return os.environ.get("LLMPREP_DB") or None


def database_url(db_option: str | Path | None = None) -> str | None:
    """The server URL that --db or LLMPREP_DB names; None when they name a file (or nothing)."""
    given = _given(db_option)
    return given if isinstance(given, str) and is_url(given) else None


def database(db_option: str | Path | None = None) -> Path:
    """The SQLite file: --db, else LLMPREP_DB, else llmprep.sqlite3 in the data dir (a URL is not a file: see
    database_url)."""
    given = _given(db_option)
    if given is not None and not (isinstance(given, str) and is_url(given)):
        return Path(given).expanduser()
    return home() / "llmprep.sqlite3"


def check_database(path: Path) -> None:
    """Refuse a database path that cannot be a file (a folder, or a path under a regular file), saying what to give."""
    if path.is_dir():
        raise StorageError(
            f"{path} is a folder, not a database file; give --db a file path such as {path / 'llmprep.sqlite3'}"
        )
    for parent in path.parents:
        if parent.is_dir():
            return
        if parent.exists():
            raise StorageError(
                f"the database {path} cannot be created: {parent} is a file, not a folder; "
                f"give --db a path in a folder, such as {parent.parent / 'llmprep.sqlite3'}"
            )


def data_dir_for(db_path: Path) -> Path:
    """Config, deck cache and coding workspaces sit beside the database."""
    return db_path.parent


def _shipped(name: str) -> Path:
    """Inside an installed wheel, top-level folders are package data; in a source checkout they are at the top."""
    packaged = Path(__file__).parent / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).parent.parent / name


def builtin_decks() -> Path:
    return _shipped("decks")


def solutions() -> Path:
    return _shipped("solutions")


def user_deck_dirs(option: list[Path] | None) -> list[Path]:
    dirs = list(option or [])
    env = os.environ.get("LLMPREP_DECKS")
    if env:
        dirs.extend(Path(p).expanduser() for p in env.split(os.pathsep) if p)
    return dirs
