"""A whole history moved between two databases (a SQLite file and a PostgreSQL server, either way): every table,
every row with its id, in foreign-key order, in one transaction on the target. No printing here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.engine import Connection, Engine

from llmprep import sql, store
from llmprep.errors import UsageError

BATCH = 2000  # rows per INSERT: a million-row review log moves in bounded memory
HISTORY = (store.ReviewLog, store.CardState, store.Attempt, store.InterviewRow)  # what the user made


def has_history(conn: Connection) -> bool:
    return any(conn.execute(select(model.__table__.c[0]).limit(1)).first() for model in HISTORY)  # type: ignore[attr-defined]


def _batches(conn: Connection, table: Table) -> Iterator[list[dict[str, Any]]]:
    result = conn.execute(select(table).order_by(*table.primary_key.columns)).mappings()
    while chunk := result.fetchmany(BATCH):
        yield [dict(row) for row in chunk]


def copy(source: Engine, target: Engine, target_name: str) -> dict[str, int]:
    """Copy every table of `source` into `target`, which must hold no history (its cards and settings, if any,
    are replaced). Returns the rows copied per table."""
    tables = store.Base.metadata.sorted_tables  # parents before children
    counts: dict[str, int] = {}
    with source.connect() as reader, target.connect() as writer:
        if sql.is_sqlite(writer):
            writer.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            sql.lock_server(writer)
        if has_history(writer):
            raise UsageError(
                f"{target_name} already has a history (reviews, card states or attempts); nothing was copied. "
                "Copy into a new, empty database"
            )
        for table in reversed(tables):
            writer.execute(delete(table))
        for table in tables:
            counts[table.name] = 0
            for rows in _batches(reader, table):
                writer.execute(insert(table), rows)
                counts[table.name] += len(rows)
        if not sql.is_sqlite(writer):
            _reset_sequences(writer, tables)
        writer.commit()
    return counts


def _reset_sequences(conn: Connection, tables: list[Table]) -> None:
    """PostgreSQL: the next id of each table whose ids were copied follows the largest one copied."""
    for table in tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True:
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                    f"coalesce(max({column.name}), 1), max({column.name}) IS NOT NULL) FROM {table.name}"
                )
