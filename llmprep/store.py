"""SQLite storage through SQLAlchemy 2.0: schema, engine, migrations, and the few writes llmprep makes.

- Times are stored as naive UTC text and come back as aware UTC (`UTCDateTime`, the one conversion point).
- WAL, foreign keys, a busy timeout and synchronous=FULL are set on every connection.
- The schema version lives in `PRAGMA user_version`; `MIGRATIONS` upgrades older files in order.
- Cards are never deleted: a card removed from YAML is `hidden`, so its review log survives.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable, Iterable
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import (
    JSON,
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
    update,
)
from sqlalchemy.engine import Connection, Engine, ExceptionContext
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from llmprep import clock, paths
from llmprep.errors import StorageError

SCHEMA_VERSION = 2  # 2: cards.priority
BUSY_TIMEOUT_MS = 10_000


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


class Base(DeclarativeBase):
    pass


class CardRow(Base):
    __tablename__ = "cards"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    deck: Mapped[str] = mapped_column(String, index=True)
    kind: Mapped[str] = mapped_column(String)  # qa | code
    position: Mapped[int] = mapped_column(Integer)  # order of new cards: deck file order
    priority: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # 1: `priority: high`
    content_hash: Mapped[str] = mapped_column(String)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    leech: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)  # no longer in any deck file
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CardTag(Base):
    __tablename__ = "card_tags"
    card_id: Mapped[str] = mapped_column(ForeignKey("cards.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(String, primary_key=True, index=True)


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
    """Append-only: one row per rating (undo deletes the row it made, nothing else does)."""

    __tablename__ = "review_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    card_id: Mapped[str] = mapped_column(ForeignKey("cards.id"))
    rating: Mapped[int] = mapped_column(Integer)  # 1 again, 2 hard, 3 good, 4 easy
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String)  # new | learning | review | relearning | cram | code
    scheduled_days: Mapped[float | None] = mapped_column(Float)  # interval the card was due after
    elapsed_days: Mapped[float | None] = mapped_column(Float)  # time since its previous review
    state_before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    state_after: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (
        Index("ix_review_log_card_time", "card_id", "reviewed_at"),
        Index("ix_review_log_time", "reviewed_at"),
    )


class Attempt(Base):
    """One graded submission of a coding card."""

    __tablename__ = "attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    card_id: Mapped[str] = mapped_column(ForeignKey("cards.id"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    device: Mapped[str] = mapped_column(String)
    passed: Mapped[bool] = mapped_column(Boolean)
    gave_up: Mapped[bool] = mapped_column(Boolean, default=False)
    duration_s: Mapped[float] = mapped_column(Float)
    seed: Mapped[int | None] = mapped_column(Integer)
    checks: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(Text)


class Meta(Base):
    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String, primary_key=True)
    value: Mapped[str] = mapped_column(Text)


def _add_card_priority(conn: Connection) -> None:
    conn.exec_driver_sql("ALTER TABLE cards ADD COLUMN priority INTEGER NOT NULL DEFAULT 0")
    conn.exec_driver_sql("DELETE FROM meta WHERE key = 'deck_fingerprint'")  # the next sync fills it in


# Each entry upgrades the schema from version i+1 to i+2 (entry 0 takes version 1 to 2).
MIGRATIONS: list[Callable[[Connection], None]] = [_add_card_priority]


def backup_before_migration(path: Path, now: datetime) -> Path | None:
    """A consistent copy (SQLite's online backup, not a file copy of a live WAL database) in `backups/` beside
    the database, made before an upgrade touches it; written to a temporary name and renamed, so a full disk
    leaves no half-written backup. None when no upgrade is due."""
    if not path.is_file():
        return None
    with closing(sqlite3.connect(path)) as source:
        version = source.execute("PRAGMA user_version").fetchone()[0]
        if version == 0 or version >= SCHEMA_VERSION:
            return None
        folder = path.parent / "backups"
        folder.mkdir(exist_ok=True)
        target = folder / f"{path.stem}.v{version}.{now:%Y%m%dT%H%M%S}.sqlite3"
        partial = target.with_suffix(".partial")
        try:
            with closing(sqlite3.connect(partial)) as copy:
                source.backup(copy)
            os.replace(partial, target)
        except (OSError, sqlite3.Error) as exc:
            partial.unlink(missing_ok=True)
            raise StorageError(
                f"{path} needs an upgrade (schema v{version} -> v{SCHEMA_VERSION}) and the backup made before it "
                f"failed ({exc}); free some space in {folder} and run the command again. Nothing was changed."
            ) from None
    return target


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
            "Restore a backup (llmprep.sqlite3.*.bak beside it) or point --db elsewhere."
        )
    if not read_only:
        backup_before_migration(path, datetime.now(UTC))
    if read_only:
        engine = create_engine(f"sqlite:///{path}", creator=_read_only_connect(path))
        event.listen(engine, "connect", lambda conn, record: _on_connect(conn, record, read_only=True))
        event.listen(engine, "handle_error", _refuse_writes(path))
    else:
        engine = create_engine(f"sqlite:///{path}")
        event.listen(engine, "connect", _on_connect)
    try:
        with engine.begin() as conn:
            _migrate(conn)  # read-only: an upgrade the file needs is refused by _refuse_writes
    except OperationalError as exc:
        raise StorageError(
            f"cannot open the database {path}: {exc.orig}; check that you can read and write it and its folder, "
            "or point --db elsewhere"
        ) from None
    except DatabaseError as exc:
        raise StorageError(
            f"{path} is damaged ({exc.orig}); it was left untouched. Restore a backup "
            "(llmprep.sqlite3.*.bak beside it) or point --db elsewhere."
        ) from None
    return engine


def _migrate(conn: Connection) -> None:
    version = conn.exec_driver_sql("PRAGMA user_version").scalar_one()
    if version > SCHEMA_VERSION:
        raise StorageError(f"database schema v{version} is newer than this llmprep (v{SCHEMA_VERSION}); upgrade")
    if version == 0:
        Base.metadata.create_all(conn)
    else:
        for step in MIGRATIONS[version - 1 :]:
            step(conn)
    if version != SCHEMA_VERSION:
        conn.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")


# ---------------------------------------------------------------- cards


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
    fingerprint = "\n".join(f"{c.id} {c.deck} {c.kind} {c.content_hash} {c.priority} {','.join(c.tags)}" for c in cards)
    digest = hashlib.sha256(fingerprint.encode()).hexdigest()
    if get_meta(session, "deck_fingerprint") == digest:
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
                )
            )
        else:
            row.deck, row.kind, row.position = card.deck, card.kind, position
            row.priority = int(card.priority == "high")
            row.content_hash, row.hidden = card.content_hash, False
    for card_id, row in existing.items():
        if card_id not in seen:
            row.hidden = True
    session.flush()
    session.execute(delete(CardTag))
    session.add_all(CardTag(card_id=c.id, tag=t) for c in cards for t in set(c.tags))
    set_meta(session, "deck_fingerprint", digest)


def set_suspended(session: Session, card_id: str, suspended: bool, *, leech: bool | None = None) -> None:
    values: dict[str, Any] = {"suspended": suspended}
    if leech is not None:
        values["leech"] = leech
    session.execute(update(CardRow).where(CardRow.id == card_id).values(**values))
