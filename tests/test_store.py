from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from llmprep import store
from llmprep.errors import StorageError


def test_pragmas_version_and_utc_roundtrip(tmp_path: Path) -> None:
    engine = store.open_engine(tmp_path / "db.sqlite3")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA user_version")).scalar() == store.SCHEMA_VERSION
    moment = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    with Session(engine) as session, session.begin():
        session.add(store.CardRow(id="c", deck="d", kind="qa", position=0, content_hash="h", added_at=moment))
    with Session(engine) as session:
        row = session.get(store.CardRow, "c")
        assert row is not None and row.added_at == moment and row.added_at.tzinfo == UTC


def test_naive_datetime_is_rejected(tmp_path: Path) -> None:
    engine = store.open_engine(tmp_path / "db.sqlite3")
    with pytest.raises(Exception, match="naive datetime"), Session(engine) as session, session.begin():
        session.add(
            store.CardRow(id="c", deck="d", kind="qa", position=0, content_hash="h", added_at=datetime(2026, 1, 1))
        )


def test_foreign_keys_enforced(tmp_path: Path) -> None:
    engine = store.open_engine(tmp_path / "db.sqlite3")
    with pytest.raises(Exception, match="FOREIGN KEY"), Session(engine) as session, session.begin():
        session.add(store.CardTag(card_id="missing", tag="x"))


def test_not_sqlite_file_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    path.write_bytes(b"this is my thesis, not a database")
    with pytest.raises(StorageError, match=str(path)):
        store.open_engine(path)
    assert path.read_bytes() == b"this is my thesis, not a database"


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {store.SCHEMA_VERSION + 1}")
    with pytest.raises(StorageError, match="newer than this llmprep"):
        store.open_engine(path)


def test_read_only_engine_reads_and_refuses_every_write(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    moment = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    writer = store.open_engine(path)
    with Session(writer) as session, session.begin():
        session.add(store.CardRow(id="c", deck="d", kind="qa", position=0, content_hash="h", added_at=moment))
    writer.dispose()
    before = path.read_bytes()
    engine = store.open_engine(path, read_only=True)
    with Session(engine) as session:
        row = session.get(store.CardRow, "c")
        assert row is not None and row.added_at == moment
    refused = pytest.raises(StorageError, match=f"^{path} is read-only .* pass --db COPY")
    with refused, Session(engine) as session, session.begin():
        store.set_suspended(session, "c", True)
    with pytest.raises(StorageError, match="is read-only"), engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE sneaky (x)")
    engine.dispose()
    assert path.read_bytes() == before


def test_read_only_engine_does_not_set_up_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    path.touch()
    with pytest.raises(StorageError, match="is read-only"):
        store.open_engine(path, read_only=True)
    assert path.read_bytes() == b""
