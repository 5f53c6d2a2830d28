"""Where user data lives: --db, then LLMPREP_HOME, then the platform's user data dir."""

from __future__ import annotations

import os
from pathlib import Path

from llmprep.errors import StorageError

APP_NAME = "llmprep"


def home() -> Path:
    override = os.environ.get("LLMPREP_HOME")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def database(db_option: Path | None = None) -> Path:
    if db_option is not None:
        return db_option.expanduser()
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
