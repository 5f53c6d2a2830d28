"""`llmprep db copy`: move a whole history between the local SQLite file and a PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from llmprep.console import out
from llmprep.errors import UsageError
from llmprep.workspace import Workspace

db_app = typer.Typer(help="The database itself: move a history between a SQLite file and a PostgreSQL server.")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")


@db_app.command("copy")
def copy_command(
    ctx: typer.Context,
    to: str | None = typer.Option(None, "--to", metavar="PATH|URL", help="Copy this database's history there."),
    source: str | None = typer.Option(
        None, "--from", metavar="PATH|URL", help="Copy the history there into this database."
    ),
) -> None:
    """Copy every table (cards, reviews with their ids, states, attempts, answers, interviews, settings) in one
    transaction, into a database without a history: `llmprep db copy --to postgresql+psycopg://me@host/llmprep`."""
    from llmprep import store, transfer

    ws: Workspace = ctx.obj
    if to is None and source is None:
        raise UsageError("say where: `llmprep db copy --to URL` (from this database) or `--from URL` (into it)")
    if to is None:  # into this database
        ws.require_writable()
    ends = [source if source is not None else ws.database, to if to is not None else ws.database]
    names = [store.describe(end) for end in ends]
    if names[0] == names[1]:
        raise UsageError(f"--from and --to are the same database ({names[0]}); name another one")
    if not store.is_server(ends[0]) and not Path(ends[0]).expanduser().is_file():
        raise UsageError(f"there is no database at {names[0]}; nothing to copy")
    engines = [ws.engine if end == ws.database else store.open_database(end) for end in ends]
    counts = transfer.copy(engines[0], engines[1], names[1])
    out.print(
        f"copied {counts['review_log']} reviews, {counts['card_state']} card states, {counts['attempts']} attempts, "
        f"{counts['interviews']} interviews and {counts['cards']} cards from {escape(names[0])} to {escape(names[1])}"
    )
