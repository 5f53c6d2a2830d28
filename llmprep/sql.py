"""The SQL that differs between SQLite and PostgreSQL, owned by `store`: the server's schema-version table, its
tables and columns, its write lock, and the few expressions stats need (SQLite's `julianday`, `max(a, b)`,
`CAST(x AS INTEGER)` truncating). Each PostgreSQL expression computes what the SQLite one does, bit for bit where
floats are involved, so that `stats --json` is the same on both backends."""

from __future__ import annotations

from sqlalchemy.engine import Connection

VERSION_TABLE = "schema_version"  # PostgreSQL: one row, the schema version (SQLite keeps it in PRAGMA user_version)
LOCK_KEY = 0x4C4C4D50  # the advisory lock every writer takes on PostgreSQL ("LLMP", as SQLite's application_id)
_UNIX_EPOCH_JD_MS = 210_866_760_000_000  # 1970-01-01 as SQLite's internal Julian day number, in milliseconds


def is_sqlite(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite"


# ---------------------------------------------------------------- the server's schema and lock


def lock_server(conn: Connection) -> None:
    """Serialize writers as SQLite's BEGIN IMMEDIATE does: held until this transaction ends."""
    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")


def server_tables(conn: Connection) -> dict[str, set[str]]:
    """Table -> its columns, in the connection's current schema."""
    tables: dict[str, set[str]] = {}
    rows = conn.exec_driver_sql(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
    )
    for table, column in rows:
        tables.setdefault(table, set()).add(column)
    return tables


def server_version(conn: Connection) -> int:
    """The schema version recorded on the server; 0 where llmprep has not made its tables yet."""
    if conn.exec_driver_sql(f"SELECT to_regclass('{VERSION_TABLE}')").scalar() is None:
        return 0
    return int(conn.exec_driver_sql(f"SELECT coalesce(max(version), 0) FROM {VERSION_TABLE}").scalar_one())


def set_server_version(conn: Connection, version: int) -> None:
    conn.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (version INTEGER NOT NULL)")
    conn.exec_driver_sql(f"DELETE FROM {VERSION_TABLE}")
    conn.exec_driver_sql(f"INSERT INTO {VERSION_TABLE} (version) VALUES ({int(version)})")


# ---------------------------------------------------------------- expressions for stats


class Dialect:
    """SQL expressions by backend: `Dialect("sqlite")` or `Dialect("postgresql")`."""

    def __init__(self, name: str) -> None:
        self.sqlite = name == "sqlite"

    def julianday(self, expr: str) -> str:
        """SQLite's julianday(): whole milliseconds since the Julian epoch divided by 86400000.0, as a double."""
        if self.sqlite:
            return f"julianday({expr})"
        return (
            f"(CAST(round(EXTRACT(EPOCH FROM {expr}) * 1000) + {_UNIX_EPOCH_JD_MS} AS double precision) "
            "/ CAST(86400000 AS double precision))"
        )

    def timestamp(self, param: str) -> str:
        """A bound parameter holding a naive UTC time as text ('2026-01-05 09:00:00')."""
        return param if self.sqlite else f"CAST({param} AS timestamp)"

    def whole(self, expr: str) -> str:
        """CAST(x AS INTEGER) as SQLite does it: towards zero (PostgreSQL's cast rounds)."""
        return f"CAST({expr} AS INTEGER)" if self.sqlite else f"CAST(trunc({expr}) AS INTEGER)"

    def greatest(self, a: str, b: str) -> str:
        return f"max({a}, {b})" if self.sqlite else f"greatest({a}, {b})"

    def real(self, value: float) -> str:
        """A float literal read as a double (PostgreSQL reads `0.5` as numeric)."""
        return repr(value) if self.sqlite else f"CAST({value!r} AS double precision)"
