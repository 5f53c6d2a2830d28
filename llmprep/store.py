"""Storage through SQLAlchemy 2.0: schema, engine, migrations, and the few writes llmprep makes.

- A local SQLite file by default; a PostgreSQL database when --db / LLMPREP_DB is a URL (`open_server`), so that
  several machines share one history. What differs between the two is here and in `llmprep.sql`.
- Times are stored as naive UTC and come back as aware UTC (`UTCDateTime`, the one conversion point).
- SQLite: WAL, foreign keys, a busy timeout and synchronous=FULL are set on every connection.
- The schema version lives in `PRAGMA user_version` (SQLite) or the `schema_version` table (PostgreSQL);
  `MIGRATIONS` upgrades older databases in order.
- Cards are never deleted: a card removed from YAML is `hidden`, so its review log survives.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    create_engine,
    delete,
    event,
    select,
    text,
    update,
)
from sqlalchemy.engine import URL, Connection, Engine, ExceptionContext
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from llmprep import clock, paths, sql
from llmprep.errors import StorageError, UsageError

# 2: cards.priority; 3: attempts hints and session time; 4: slim review_log, review_slots; 5: answers,
# interviews; 6: cards.body
SCHEMA_VERSION = 6
BUSY_TIMEOUT_MS = 10_000
APPLICATION_ID = 0x4C4C4D50  # "LLMP" in the SQLite header: a file llmprep made is recognised as such


def _without_async_sqlite() -> None:
    """SQLAlchemy's sqlite package imports its aiosqlite dialect, and with it asyncio (~30 ms at every start),
    although llmprep only uses the plain one: a placeholder module stands in for that one dialect."""
    name = "sqlalchemy.dialects.sqlite.aiosqlite"
    if "sqlalchemy.dialects.sqlite" not in sys.modules:
        sys.modules.setdefault(name, ModuleType(name))


_without_async_sqlite()


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC in Python, naive UTC text in SQLite (so SQL date functions and ordering work)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use llmprep.clock")
        return clock.as_utc(value).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else clock.as_utc(value)


def epoch_ms(moment: datetime) -> int:
    """Milliseconds since the Unix epoch: how the review log keeps a time."""
    return round(moment.timestamp() * 1000)


def to_millis(moment: datetime | None) -> datetime | None:
    """`moment` as the review log gives it back: to the millisecond."""
    return None if moment is None else datetime.fromtimestamp(epoch_ms(moment) / 1000, UTC)


class EpochMillis(TypeDecorator[datetime]):
    """Aware UTC in Python, milliseconds since the Unix epoch in the database: a review-log row's time in 6 bytes
    instead of 26, and slot arithmetic (`reviewed_at / 900000`) that is the same SQL on every backend."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> int | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use llmprep.clock")
        return epoch_ms(value)

    def process_result_value(self, value: int | None, dialect: Any) -> datetime | None:
        return None if value is None else datetime.fromtimestamp(value / 1000, UTC)


# Strings sort byte by byte on both backends (SQLite's BINARY; "C" on PostgreSQL, whatever the server's locale):
# queue order, stats' ORDER BY and GROUP BY give the same rows in the same order.
Str = String().with_variant(String(collation="C"), "postgresql")


class Base(DeclarativeBase):
    type_annotation_map = {str: Str}  # noqa: RUF012 (SQLAlchemy reads it from the class)


class CardRow(Base):
    __tablename__ = "cards"
    id: Mapped[str] = mapped_column(Str, primary_key=True)
    deck: Mapped[str] = mapped_column(Str, index=True)
    kind: Mapped[str] = mapped_column(Str)  # qa | code
    position: Mapped[int] = mapped_column(Integer)  # order of new cards: deck file order
    priority: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # 1: `priority: high`
    content_hash: Mapped[str] = mapped_column(Str)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    leech: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)  # no longer in any deck file
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    body: Mapped[str | None] = mapped_column(Text)  # the card as JSON: one card is read without the deck files


class CardTag(Base):
    __tablename__ = "card_tags"
    card_id: Mapped[str] = mapped_column(ForeignKey("cards.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(Str, primary_key=True, index=True)


class CardState(Base):
    """FSRS memory state; a card without a row here is new."""

    __tablename__ = "card_state"
    card_id: Mapped[str] = mapped_column(ForeignKey("cards.id"), primary_key=True)
    state: Mapped[int] = mapped_column(Integer)  # fsrs.State: 1 learning, 2 review, 3 relearning
    step: Mapped[int | None] = mapped_column(Integer)
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    due: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    last_review: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReviewLog(Base):
    """Append-only: one row per rating (undo deletes the row it made, nothing else does). Kept slim (about 50
    bytes a row): what the optimizer, the exports and a rebuild of `review_slots` need. Undo takes the state
    before a rating from the drill's memory, not from here."""

    __tablename__ = "review_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    card_id: Mapped[str] = mapped_column(ForeignKey("cards.id"))
    rating: Mapped[int] = mapped_column(Integer)  # 1 again, 2 hard, 3 good, 4 easy
    reviewed_at: Mapped[datetime] = mapped_column(EpochMillis)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(Str)  # new | learning | review | relearning | cram | code
    scheduled_days: Mapped[float | None] = mapped_column(Float)  # interval the card was due after

    __table_args__ = (Index("ix_review_log_card", "card_id"),)  # a card's rows; time order is id order


SLOT_MS = 15 * 60 * 1000  # every time zone's offset is a multiple of 15 minutes: a local day is whole slots


def slot_of(moment: datetime) -> int:
    """The 15-minute slot of `review_slots` that holds `moment` (a day starts on a slot boundary)."""
    return epoch_ms(moment) // SLOT_MS


class ReviewSlot(Base):
    """The review log summed per 15-minute slot and kind, kept in step in the transaction of every rating and
    undo: stats read a few thousand slots instead of every review. `rebuild_review_slots` recomputes it from the
    log, which stays the source of truth."""

    __tablename__ = "review_slots"
    slot: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # reviewed_at // SLOT_MS
    kind: Mapped[str] = mapped_column(Str, primary_key=True)
    reviews: Mapped[int] = mapped_column(Integer)
    again: Mapped[int] = mapped_column(Integer)  # rated 1
    ms: Mapped[int] = mapped_column(BigInteger)  # time spent answering
    mature: Mapped[int] = mapped_column(Integer)  # due after an interval of MATURE_DAYS or more
    mature_again: Mapped[int] = mapped_column(Integer)


class Attempt(Base):
    """One graded submission of a coding card."""

    __tablename__ = "attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    card_id: Mapped[str] = mapped_column(ForeignKey("cards.id"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    device: Mapped[str] = mapped_column(Str)
    passed: Mapped[bool] = mapped_column(Boolean)
    gave_up: Mapped[bool] = mapped_column(Boolean, default=False)
    duration_s: Mapped[float] = mapped_column(Float)
    seed: Mapped[int | None] = mapped_column(Integer)
    checks: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(Text)
    hints_used: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # revealed with `h`
    session_s: Mapped[float | None] = mapped_column(Float)  # time since the practice session began


class AnswerRow(Base):
    """The text typed for one rating (`study --type`, `interview`): goes with its review-log row on undo."""

    __tablename__ = "answers"
    review_log_id: Mapped[int] = mapped_column(ForeignKey("review_log.id", ondelete="CASCADE"), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    points_hit: Mapped[int] = mapped_column(Integer)
    points_total: Mapped[int] = mapped_column(Integer)  # 0: the card has no points (no coverage)
    typed_s: Mapped[float | None] = mapped_column(Float)  # from the question shown to the answer ended


class InterviewRow(Base):
    """One mock interview: when, how long it was meant to be, its score and the whole report (JSON)."""

    __tablename__ = "interviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    minutes: Mapped[int] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float)  # None: nothing was answered
    report: Mapped[dict[str, Any]] = mapped_column(JSON)


class Meta(Base):
    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(Str, primary_key=True)
    value: Mapped[str] = mapped_column(Text)


def _add_card_priority(conn: Connection) -> None:
    conn.exec_driver_sql("ALTER TABLE cards ADD COLUMN priority INTEGER NOT NULL DEFAULT 0")
    conn.exec_driver_sql("DELETE FROM meta WHERE key = 'deck_fingerprint'")  # the next sync fills it in


def _add_attempt_coaching(conn: Connection) -> None:
    conn.exec_driver_sql("ALTER TABLE attempts ADD COLUMN hints_used INTEGER NOT NULL DEFAULT 0")
    conn.exec_driver_sql("ALTER TABLE attempts ADD COLUMN session_s FLOAT")


def _slim_review_log(conn: Connection) -> None:
    """v4: the review log without its JSON states (times as epoch milliseconds), and the slots built from it.
    Every row keeps its id, card, rating, time (to the millisecond), duration, kind and interval."""
    conn.exec_driver_sql("ALTER TABLE review_log RENAME TO review_log_v3")
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_review_log_card_time")
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_review_log_time")
    ReviewLog.__table__.create(conn)  # type: ignore[attr-defined]
    conn.exec_driver_sql(
        "INSERT INTO review_log (id, card_id, rating, reviewed_at, duration_ms, kind, scheduled_days) "
        "SELECT id, card_id, rating, CAST(round((julianday(reviewed_at) - 2440587.5) * 86400000) AS INTEGER), "
        "duration_ms, kind, scheduled_days FROM review_log_v3 ORDER BY id"
    )
    conn.exec_driver_sql("DROP TABLE review_log_v3")
    ReviewSlot.__table__.create(conn)  # type: ignore[attr-defined]
    rebuild_review_slots(conn)


# ---------------------------------------------------------------- review log and its slots

MATURE_DAYS = 21  # Anki: a card whose interval is at least 21 days is mature


def slot_rows_sql(where: str = "1 = 1") -> str:
    """The review log grouped into `review_slots`' rows, for the log rows (joined to their card `c`) matching
    `where`: the rebuild, and stats filtered by deck or tag, read the same definition."""
    return (
        f"SELECT l.reviewed_at / {SLOT_MS} AS slot, l.kind AS kind, count(*) AS reviews, "
        "count(*) FILTER (WHERE l.rating = 1) AS again, coalesce(sum(l.duration_ms), 0) AS ms, "
        f"count(*) FILTER (WHERE l.scheduled_days >= {MATURE_DAYS}) AS mature, "
        f"count(*) FILTER (WHERE l.scheduled_days >= {MATURE_DAYS} AND l.rating = 1) AS mature_again "
        f"FROM review_log l JOIN cards c ON c.id = l.card_id WHERE {where} GROUP BY 1, 2"
    )


def rebuild_review_slots(conn: Connection) -> None:
    """Recompute `review_slots` from the log (the migration to v4, an import, a test of the running sums)."""
    conn.exec_driver_sql("DELETE FROM review_slots")
    conn.exec_driver_sql(
        f"INSERT INTO review_slots (slot, kind, reviews, again, ms, mature, mature_again) {slot_rows_sql()}"
    )


_ADD_TO_SLOT = text(
    "INSERT INTO review_slots (slot, kind, reviews, again, ms, mature, mature_again) "
    "VALUES (:slot, :kind, :n, :again, :ms, :mature, :mature_again) "
    "ON CONFLICT (slot, kind) DO UPDATE SET reviews = review_slots.reviews + excluded.reviews, "
    "again = review_slots.again + excluded.again, ms = review_slots.ms + excluded.ms, "
    "mature = review_slots.mature + excluded.mature, mature_again = review_slots.mature_again + excluded.mature_again"
)


def _count_in_slot(session: Session, log: ReviewLog, sign: int) -> None:
    again = int(log.rating == 1)
    mature = int(log.scheduled_days is not None and log.scheduled_days >= MATURE_DAYS)
    slot = slot_of(log.reviewed_at)
    values = {"slot": slot, "kind": log.kind, "n": sign, "again": sign * again, "ms": sign * (log.duration_ms or 0)}
    session.execute(_ADD_TO_SLOT, {**values, "mature": sign * mature, "mature_again": sign * mature * again})
    if sign < 0:  # as a rebuild leaves it: no slot without reviews
        session.execute(
            delete(ReviewSlot).where(ReviewSlot.slot == slot, ReviewSlot.kind == log.kind, ReviewSlot.reviews <= 0)
        )


def add_review(session: Session, log: ReviewLog) -> ReviewLog:
    """Append a rating to the log and to its slot, in the caller's transaction."""
    session.add(log)
    session.flush()
    _count_in_slot(session, log, +1)
    return log


def remove_review(session: Session, log_id: int) -> ReviewLog | None:
    """Delete one log row (an undo) and take it out of its slot; None when it is gone already."""
    log = session.get(ReviewLog, log_id)
    if log is None:
        return None
    _count_in_slot(session, log, -1)
    session.execute(delete(AnswerRow).where(AnswerRow.review_log_id == log_id))  # its typed answer goes with it
    session.delete(log)
    session.flush()
    return log


def _add_typed_answers(conn: Connection) -> None:
    """Typed answers (one per rating) and mock interviews: two new tables, nothing existing changes."""
    Base.metadata.create_all(conn, tables=[AnswerRow.__table__, InterviewRow.__table__])  # type: ignore[list-item]


def _add_card_body(conn: Connection) -> None:
    conn.exec_driver_sql("ALTER TABLE cards ADD COLUMN body TEXT")
    conn.exec_driver_sql("DELETE FROM meta WHERE key IN ('deck_fingerprint', 'deck_files')")  # the next sync fills it


# Each entry upgrades the schema from version i+1 to i+2 (entry 0 takes version 1 to 2). The entries up to v6 are
# SQLite-only (old files: PRAGMA, julianday): a PostgreSQL database is always created at the current version, so
# it only ever runs the entries after the one it was made at; every entry from v6 -> v7 on must run on both.
FIRST_SERVER_VERSION = 6  # PostgreSQL support came with schema v6
MIGRATIONS: list[Callable[[Connection], None]] = [
    _add_card_priority,
    _add_attempt_coaching,
    _slim_review_log,
    _add_typed_answers,
    _add_card_body,
]


def backup_before_migration(path: Path, now: datetime) -> Path | None:
    """A backup in `backups/` before an upgrade touches the file (labelled with the old schema version); None
    when no upgrade is due."""
    from llmprep import backup

    if not path.is_file():
        return None
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as source:
            version = source.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise _sqlite_failure(path, exc) from None
    if version == 0 or version >= SCHEMA_VERSION:
        return None
    try:
        return backup.take(path, f"v{version}", now)
    except StorageError as exc:
        raise StorageError(
            f"{path} needs an upgrade (schema v{version} -> v{SCHEMA_VERSION}) and the backup made before it "
            f"failed: {exc.message}"
        ) from None


# ---------------------------------------------------------------- is it ours, and is it whole


def identify(conn: sqlite3.Connection) -> str | None:
    """None when `conn` holds an llmprep database (or nothing yet); else what it is instead."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if app_id == APPLICATION_ID:
        return None
    if app_id != 0:
        return f"another application's database (application_id {app_id:#x})"
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables or {"cards", "card_state", "review_log"} <= tables:  # empty, or llmprep's before v3
        return None
    return f"another application's SQLite database (tables: {', '.join(sorted(tables)[:5])})"


def damaged_message(path: Path, detail: str) -> str:
    from llmprep import backup

    newest = backup.newest(path)
    if newest is not None:
        fix = f"restore the newest backup: `llmprep restore {newest}`"
    else:
        fix = f"there is no backup in {backup.folder_for(path)}; `sqlite3 {path} .recover` may save part of it"
    return f"{path} is damaged ({detail}); nothing more is written to it. To go on, {fix}, or point --db elsewhere"


def _sqlite_failure(path: Path, exc: sqlite3.DatabaseError) -> StorageError:
    """A damaged file, or one that cannot be written now (a full disk): different causes, different fixes."""
    if getattr(exc, "sqlite_errorcode", 0) & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return StorageError(damaged_message(path, str(exc)))
    return StorageError(_io_message(path, exc))


def _io_message(path: Path, exc: BaseException) -> str:
    return (
        f"cannot write {path} ({exc}): is the disk full? This change was not saved and the file is as it was; "
        "free some space and run the command again"
    )


def _fingerprint(path: Path) -> str:
    """Size and modification time of the file and its WAL: it changes when anything writes to them."""
    parts = []
    for file in (path, path.with_name(path.name + "-wal")):
        try:
            st = file.stat()
            parts.append(f"{st.st_size}:{st.st_mtime_ns}")
        except FileNotFoundError:
            parts.append("-")
    return " ".join(parts)


def _checked_path(path: Path) -> Path:
    return path.with_name(path.name + "-checked")  # beside the -wal and -shm files SQLite keeps


def _check_intact(path: Path) -> None:
    """`PRAGMA quick_check` when the file changed since llmprep last left it whole (another program, a copy, a
    disk fault); a damaged file is refused before anything is written to it."""
    if not path.is_file() or path.stat().st_size == 0:
        return
    with contextlib.suppress(OSError):
        if _checked_path(path).read_text() == _fingerprint(path):
            return
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            problem = identify(conn)
            if problem is not None:
                raise StorageError(
                    f"{path} is not an llmprep database ({problem}); it was left untouched. "
                    "Point --db at llmprep's database, or at a new file"
                )
            result = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise _sqlite_failure(path, exc) from None
    if result != "ok":
        raise StorageError(damaged_message(path, f"quick_check: {result}"))


_opened: dict[Path, Engine] = {}  # databases this process opened for writing, found whole
_servers: list[Engine] = []  # PostgreSQL databases this process opened (closed by record_clean)
_damaged: set[Path] = set()


def record_clean() -> None:
    """Close this process's engines (SQLite folds the WAL into the file) and remember each database it left
    whole, so that the next start skips the quick_check; nothing is recorded for one that raised an error."""
    for server in _servers:
        server.dispose()
    _servers.clear()
    for path, engine in _opened.items():
        engine.dispose()
        if path in _damaged or not path.is_file():
            continue
        marker = _checked_path(path)
        with contextlib.suppress(OSError):
            partial = marker.with_name(marker.name + ".partial")
            partial.write_text(_fingerprint(path))
            os.replace(partial, marker)
    _opened.clear()


def verify_schema(conn: Connection, path: Path | str) -> None:
    """Every table and column this version uses is there: drift (a dropped column, a table edited by hand)
    is one clear error before any rating is taken, never a rating lost at its commit."""
    server = None if sql.is_sqlite(conn) else sql.server_tables(conn)
    for table in Base.metadata.sorted_tables:
        if server is None:
            present = {row[1] for row in conn.exec_driver_sql(f"PRAGMA table_info({table.name})")}
        else:
            present = server.get(table.name, set())
        if not present:
            raise StorageError(_drift_message(path, f"table `{table.name}` is missing"))
        missing = sorted({column.name for column in table.columns} - present)
        if missing:
            raise StorageError(_drift_message(path, f"table `{table.name}` lacks {', '.join(missing)}"))


def _drift_message(where: Path | str, detail: str) -> str:
    if isinstance(where, Path):
        return damaged_message(where, detail)
    return (
        f"{where} does not hold llmprep's tables as this version writes them ({detail}); nothing was written. "
        "Restore it from the server's backups, or point LLMPREP_DB at a new database"
    )


def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any, read_only: bool = False) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if read_only:
        cursor.execute("PRAGMA query_only = ON")  # with mode=ro: SQLite itself refuses every write
    else:
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")  # a rating shown as recorded survives power loss
    cursor.execute("PRAGMA foreign_keys = ON")
    try:  # stats compute FSRS retrievability in SQL; SQLite builds without math functions get pow() here
        cursor.execute("SELECT pow(2, 0.5)")
    except sqlite3.OperationalError:
        dbapi_conn.create_function("pow", 2, lambda x, y: None if x is None or y is None else x**y, deterministic=True)
    cursor.close()


def is_read_only(path: Path) -> bool:
    """An existing database this user cannot write: the file, or its folder (where SQLite keeps -wal and -shm)."""
    return path.is_file() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def read_only_message(path: Path) -> str:
    return (
        f"{path} is read-only (no write permission, or a read-only file system) and this command saves to it; "
        "make the file and its folder writable, or copy the file and pass --db COPY "
        "(`llmprep stats` and `llmprep decks` work read-only)"
    )


def _read_only_connect(path: Path) -> Callable[[], sqlite3.Connection]:
    """Connections that cannot write. `mode=ro` needs a -shm file beside a WAL database; in a read-only folder
    SQLite cannot make one, so the file is opened `immutable` instead, only when no -wal file exists (then every
    commit is in the file itself)."""
    uri = "file:" + quote(str(path.resolve()))

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            conn.close()
            if path.with_name(path.name + "-wal").exists():
                raise
            conn = sqlite3.connect(f"{uri}?immutable=1", uri=True)
        return conn

    return connect


def _refuse_writes(path: Path) -> Callable[[ExceptionContext], None]:
    def handle_error(context: ExceptionContext) -> None:
        if getattr(context.original_exception, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_READONLY:
            raise StorageError(read_only_message(path))

    return handle_error


def open_engine(path: Path, *, read_only: bool = False) -> Engine:
    """Open (creating or migrating) the database at `path`; errors name the path and what to do.

    `read_only` opens an existing database so that nothing can be written (a write raises StorageError).
    """
    paths.check_database(path)
    if not read_only:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"cannot create the data folder {path.parent}: {exc.strerror}; create it, or point --db elsewhere"
            ) from None
        if not path.exists() and not os.access(path.parent, os.W_OK):
            raise StorageError(
                f"cannot create the database {path}: the folder {path.parent} is read-only; "
                "make it writable, or point --db at a file in a folder you can write"
            )
    try:
        with path.open("rb") as fh:
            header = fh.read(16)
    except FileNotFoundError:
        header = b""
    except OSError as exc:
        raise StorageError(f"cannot read the database {path}: {exc.strerror}; check its permissions") from None
    if header and header != b"SQLite format 3\x00":
        raise StorageError(
            f"{path} is not an llmprep database (not SQLite); it was left untouched. "
            "Point --db at llmprep's database, or at a new file"
        )
    if header and not read_only:  # read-only commands meet damage as a clean error at the first bad page
        _check_intact(path)
    if not read_only:
        backup_before_migration(path, datetime.now(UTC))
    if read_only:
        engine = create_engine(f"sqlite:///{path}", creator=_read_only_connect(path))
        event.listen(engine, "connect", lambda conn, record: _on_connect(conn, record, read_only=True))
        event.listen(engine, "handle_error", _refuse_writes(path))
    else:
        engine = create_engine(f"sqlite:///{path}")
        event.listen(engine, "connect", _on_connect)
    event.listen(engine, "handle_error", _stop_on_damage(path))
    try:
        _open_schema(engine, path, read_only)
    except OperationalError as exc:
        raise StorageError(
            f"cannot open the database {path}: {exc.orig}; check that you can read and write it and its folder, "
            "or point --db elsewhere"
        ) from None
    except DatabaseError as exc:
        raise StorageError(damaged_message(path, str(exc.orig))) from None
    if not read_only:
        _opened[path] = engine
    return engine


def _open_schema(engine: Engine, path: Path, read_only: bool, patience_s: float = 3 * BUSY_TIMEOUT_MS / 1000) -> None:
    """Create or migrate the schema, then check it. Two first starts at once: one creates the tables, the other
    waits for them (BEGIN IMMEDIATE). A first start was once told "locked" at once under load while the other
    was making the file (likely its journal mode being set, when SQLite does not wait): tried again for a while."""
    deadline = time.monotonic() + patience_s
    while True:
        try:
            with engine.connect() as conn:
                if not read_only:
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                _migrate(conn)  # read-only: an upgrade the file needs is refused by _refuse_writes
                verify_schema(conn, path)
                conn.commit()
            return
        except OperationalError as exc:
            code = getattr(exc.orig, "sqlite_errorcode", 0) & 0xFF
            if code != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _stop_on_damage(path: Path) -> Callable[[ExceptionContext], None]:
    """A damaged page met during a session ends it: the transaction rolls back and the error names the backup."""

    def handle_error(context: ExceptionContext) -> None:
        code = getattr(context.original_exception, "sqlite_errorcode", 0) & 0xFF
        if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
            _damaged.add(path)
            raise StorageError(damaged_message(path, str(context.original_exception)))
        if code in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR):  # rolled back: nothing of it is in the file
            raise StorageError(_io_message(path, context.original_exception))

    return handle_error


# ---------------------------------------------------------------- PostgreSQL: a database several machines share

SERVER_DRIVERS = ("postgresql", "postgres", "postgresql+psycopg")  # all mean psycopg 3


def server_url(value: str) -> URL:
    """A PostgreSQL URL given to --db / LLMPREP_DB, with the driver llmprep uses (psycopg 3)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(value)
    except ArgumentError:
        raise UsageError(
            "the database URL given to --db / LLMPREP_DB cannot be read; write it as "
            "postgresql+psycopg://USER@HOST/DBNAME (or give a file path)"
        ) from None
    if url.drivername not in SERVER_DRIVERS:
        raise UsageError(
            f"{url.render_as_string(hide_password=True)}: llmprep keeps its history in a SQLite file or in "
            "PostgreSQL; give a postgresql+psycopg://USER@HOST/DBNAME URL or a file path"
        )
    return url.set(drivername="postgresql+psycopg")


def shown(url: URL) -> str:
    """The URL as messages name it: never its password."""
    return url.render_as_string(hide_password=True)


def open_server(value: str) -> Engine:
    """Open (creating the schema at the current version, or upgrading it) the PostgreSQL database at `value`;
    a missing driver, an unreachable server or a database that is not llmprep's is one line naming the URL."""
    url = server_url(value)
    name = shown(url)
    try:
        engine = create_engine(url)
    except ImportError:
        raise StorageError(
            f"{name} is a PostgreSQL database and its driver (psycopg) is not installed; "
            "install it with `pip install 'llmprep[postgres]'`"
        ) from None
    event.listen(engine, "handle_error", _server_errors(name))
    try:
        with engine.connect() as conn:
            sql.lock_server(conn)  # two first starts at once: one creates the tables, the other finds them
            if sql.server_version(conn) == 0:
                others = sorted(sql.server_tables(conn))
                if others:
                    raise StorageError(
                        f"{name} is not an llmprep database (it holds other tables: {', '.join(others[:5])}); "
                        "it was left untouched. Create a database for llmprep (createdb) and point LLMPREP_DB at it"
                    )
            _migrate(conn)
            verify_schema(conn, name)
            conn.commit()
    except BaseException:
        engine.dispose()
        raise
    _servers.append(engine)
    return engine


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _server_errors(name: str) -> Callable[[ExceptionContext], None]:
    """A server that cannot be reached, or lost mid-transaction (rolled back there), as one line."""
    from sqlalchemy.exc import OperationalError as Operational

    def handle_error(context: ExceptionContext) -> None:
        if not isinstance(context.sqlalchemy_exception, Operational):
            return
        detail = _first_line(context.original_exception)
        if context.connection is None:  # while connecting
            raise StorageError(
                f"cannot connect to {name} ({detail}); check that the server is running, that the database exists "
                "(createdb) and that the URL is right"
            )
        if context.is_disconnect:
            raise StorageError(
                f"lost the connection to {name} ({detail}); this change was not saved (the server rolled it back); "
                "run the command again when the server is reachable"
            )

    return handle_error


def is_server(value: str | Path) -> bool:
    return not isinstance(value, Path) and paths.is_url(value)


def open_database(value: str | Path) -> Engine:
    """A SQLite file (a path) or a PostgreSQL database (a URL), opened for writing."""
    if is_server(value):
        return open_server(str(value))
    return open_engine(Path(value).expanduser())


def describe(value: str | Path) -> str:
    """How messages name a database: its path, or its URL without the password."""
    return shown(server_url(str(value))) if is_server(value) else str(value)


def _migrate(conn: Connection) -> None:
    """Create (at the current version) or upgrade the schema, on either backend, in the caller's transaction."""
    sqlite = sql.is_sqlite(conn)
    version = conn.exec_driver_sql("PRAGMA user_version").scalar_one() if sqlite else sql.server_version(conn)
    if version > SCHEMA_VERSION:
        raise StorageError(f"database schema v{version} is newer than this llmprep (v{SCHEMA_VERSION}); upgrade")
    if version == 0:
        Base.metadata.create_all(conn)
    else:
        for step in MIGRATIONS[version - 1 :]:
            step(conn)
    if version != SCHEMA_VERSION:
        if sqlite:
            conn.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
        else:
            sql.set_server_version(conn, SCHEMA_VERSION)
    if sqlite and conn.exec_driver_sql("PRAGMA application_id").scalar_one() != APPLICATION_ID:
        conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")


# ---------------------------------------------------------------- cards


def write_lock(session: Session) -> None:
    """Take SQLite's write lock now (BEGIN IMMEDIATE), so that what this transaction reads is what it updates:
    another process's write waits for it (busy timeout) instead of slipping between the read and the write.
    On PostgreSQL the same: an advisory lock every writer takes, held until the transaction ends (reads made
    after it see every write committed before it)."""
    connection = session.connection()
    if not sql.is_sqlite(connection):
        sql.lock_server(connection)
        return
    raw = connection.connection.dbapi_connection
    if raw is not None and not raw.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def get_meta(session: Session, key: str) -> str | None:
    row = session.get(Meta, key)
    return row.value if row else None


def set_meta(session: Session, key: str, value: str) -> None:
    session.merge(Meta(key=key, value=value))


def sync_cards(session: Session, cards: Iterable[Any], now: datetime) -> None:
    """Make the cards table match the decks: add new ids, update hashes, hide what left the YAML.

    Skipped when the decks' fingerprint equals the one recorded at the last sync.
    """
    cards = list(cards)
    bodies = {c.id: json.dumps(asdict(c), ensure_ascii=False) for c in cards}
    digest = hashlib.sha256("\n".join(bodies.values()).encode()).hexdigest()
    if get_meta(session, "deck_fingerprint") == digest:
        return
    write_lock(session)  # two starts may sync at once: one at a time (the check above read outside the lock)
    if get_meta(session, "deck_fingerprint") == digest:  # the other one did it
        return
    existing = {row.id: row for row in session.scalars(select(CardRow))}
    seen: set[str] = set()
    for position, card in enumerate(cards):
        seen.add(card.id)
        row = existing.get(card.id)
        if row is None:
            session.add(
                CardRow(
                    id=card.id,
                    deck=card.deck,
                    kind=card.kind,
                    position=position,
                    priority=int(card.priority == "high"),
                    content_hash=card.content_hash,
                    suspended=False,
                    leech=False,
                    hidden=False,
                    added_at=now,
                    body=bodies[card.id],
                )
            )
        else:
            row.deck, row.kind, row.position = card.deck, card.kind, position
            row.priority = int(card.priority == "high")
            row.content_hash, row.hidden, row.body = card.content_hash, False, bodies[card.id]
    for card_id, row in existing.items():
        if card_id not in seen:
            row.hidden = True
    session.flush()
    for card in cards:
        for old in card.renamed_from:
            if old in existing and old not in seen:
                _move_history(session, old, card.id)
    session.execute(delete(CardTag))
    session.add_all(CardTag(card_id=c.id, tag=t) for c in cards for t in set(c.tags))
    set_meta(session, "deck_fingerprint", digest)


def card_body(session: Session, card_id: str) -> str | None:
    """One card's JSON as the last sync wrote it (None: not in the decks that sync saw)."""
    return session.scalar(select(CardRow.body).where(CardRow.id == card_id, CardRow.hidden.is_(False)))


def deck_and_tag_names(session: Session) -> tuple[set[str], set[str]]:
    """The decks and tags of the present cards, as the last sync wrote them."""
    deck_names = set(session.scalars(select(CardRow.deck).where(CardRow.hidden.is_(False)).distinct()))
    return deck_names, set(session.scalars(select(CardTag.tag).distinct()))


def _move_history(session: Session, old: str, new: str) -> None:
    """A card renamed in YAML (`renamed_from: old`) keeps its reviews, state and attempts under its new id; the
    state moves only when the new id has none yet (a card studied under both ids keeps its newer state)."""
    for model in (ReviewLog, Attempt):
        session.execute(update(model).where(model.card_id == old).values(card_id=new))
    if session.get(CardState, new) is None and session.get(CardState, old) is not None:
        session.execute(update(CardState).where(CardState.card_id == old).values(card_id=new))
    session.execute(delete(CardState).where(CardState.card_id == old))


def set_suspended(session: Session, card_id: str, suspended: bool, *, leech: bool | None = None) -> None:
    values: dict[str, Any] = {"suspended": suspended}
    if leech is not None:
        values["leech"] = leech
    session.execute(update(CardRow).where(CardRow.id == card_id).values(**values))
