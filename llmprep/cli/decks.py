"""`llmprep decks`: list decks with their counts, validate deck files, unsuspend cards."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from llmprep import clock, scheduler, store
from llmprep import decks as deck_core
from llmprep.console import out
from llmprep.decks import deck_files
from llmprep.errors import DeckError, UsageError
from llmprep.messages import t
from llmprep.workspace import Workspace

decks_app = typer.Typer(help="List decks, validate deck files, unsuspend cards.", invoke_without_command=True)


def register(app: typer.Typer) -> None:
    app.add_typer(decks_app, name="decks")


@decks_app.callback()
def list_decks(ctx: typer.Context) -> None:
    """List decks with card counts: new, learning, due today, suspended."""
    if ctx.invoked_subcommand is not None:
        return
    ws: Workspace = ctx.obj
    with Session(ws.engine) as session:
        counts = scheduler.due_counts(session, clock.now(), scheduler.Filters(), ws.config.day_starts_at)
    lang = ws.language()
    table = Table(title=t("decks.title", lang))
    for column in ("deck", "title", "cards", "new", "learning", "due", "suspended"):
        table.add_column(t(f"decks.col_{column}", lang), justify="left" if column in ("deck", "title") else "right")
    for deck in ws.decks:
        c = counts.get(deck.id, {})
        table.add_row(
            deck.id,
            deck.title[lang],
            *(str(c.get(k, 0)) for k in ("cards", "new", "learning", "due", "suspended")),
        )
    out.print(table)


@decks_app.command("validate")
def validate(
    ctx: typer.Context,
    paths: list[Path] | None = typer.Argument(None, help="Deck files or folders (default: all decks in use)."),
) -> None:
    """Check deck files and report every problem as file:line: card: what to fix. Exits 1 on errors."""
    ws: Workspace = ctx.obj
    from llmprep import paths as path_core
    from llmprep.grading import catalogue

    targets = list(paths or [path_core.builtin_decks(), *ws.extra_deck_dirs])
    files: list[Path] = []
    for target in targets:
        if target.is_dir():
            files += deck_files([target])
        elif target.is_file():
            files.append(target)
        else:
            raise UsageError(f"{target}: no such file or folder")
    loaded, problems = deck_core.validate(files, catalogue.names())
    total = sum(len(d.cards) for d in loaded)
    if problems:
        raise DeckError(f"{len(problems)} problem(s) in {len(files)} file(s)", details=problems)
    out.print(t("decks.validate_ok", ws.language_or_en(), files=len(files), cards=total))


@decks_app.command("unsuspend")
def unsuspend(ctx: typer.Context, card_ids: list[str] = typer.Argument(..., help="Card ids.")) -> None:
    """Bring suspended cards (and leeches) back into the queue."""
    ws: Workspace = ctx.obj
    unknown = [c for c in card_ids if c not in ws.cards]
    if unknown:
        raise UsageError(f"unknown card id(s): {', '.join(unknown)}")
    ws.require_writable()
    with Session(ws.engine) as session, session.begin():
        for card_id in card_ids:
            store.set_suspended(session, card_id, False, leech=False)
    out.print(t("decks.unsuspended", ws.language(), count=len(card_ids)))
