"""The same history on a PostgreSQL server: a throwaway server (the tests' own starter, tests/pg.py), the
SQLite history moved onto it with `llmprep db copy --to URL`, and llmprep pointed at it with LLMPREP_DB."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def available() -> str | None:
    """None when a server can be started here; else the one line saying why the PostgreSQL rows are skipped."""
    from tests import pg

    if pg.find_bin_dir() is None:
        return "no PostgreSQL server binaries (initdb): the PostgreSQL rows are skipped (`make install` gets them)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed: the PostgreSQL rows are skipped (pip install -e '.[postgres]')"
    return None


@contextmanager
def server() -> Iterator[object]:
    from tests import pg

    with pg.running_server() as running:
        yield running


def load(running: object, env: dict[str, str]) -> tuple[str, float]:
    """A new database on `running` holding the history of the llmprep home in `env`; (its URL, seconds)."""
    url = running.create_database()  # type: ignore[attr-defined]
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "llmprep", "db", "copy", "--to", url], env=env, check=True, capture_output=True
    )
    return url, time.perf_counter() - started
