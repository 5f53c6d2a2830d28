"""`llmprep backup`, `restore`, `export` and `import`: the user's history kept safe and taken elsewhere."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.markup import escape
from sqlalchemy.orm import Session

from llmprep import clock
from llmprep.console import err, out
from llmprep.errors import StorageError, UsageError
from llmprep.workspace import Workspace

FORMATS = ("json", "csv", "anki", "tsv")


def register(app: typer.Typer) -> None:
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
    app.command("export")(export_command)
    app.command("import")(import_command)


def backup_command(
    ctx: typer.Context,
    target: Path | None = typer.Argument(None, metavar="[PATH]", help="Where to write it (default: backups/)."),
    listing: bool = typer.Option(False, "--list", help="List the backups beside the database."),
) -> None:
    """Make a consistent copy of the database now (or list the backups)."""
    from llmprep import backup

    ws: Workspace = ctx.obj
    _local_only(ws, "backup")
    if listing:
        for item in backup.listing(ws.db_path):
            out.print(f"{item.taken_at:%Y-%m-%d %H:%M:%S}  {item.label:11}  {escape(str(item.path))}")
        return
    if not ws.db_path.is_file():
        raise UsageError(f"there is no database at {ws.db_path} yet; nothing to back up")
    made = backup.take(ws.db_path, "manual", clock.now(), target)
    out.print(f"backup written: {escape(str(made))}")


def restore_command(
    ctx: typer.Context,
    source: Path = typer.Argument(..., metavar="FILE", help="A backup made by `llmprep backup` (or automatically)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Replace the database with a backup, after backing up its current state."""
    from llmprep import backup

    ws: Workspace = ctx.obj
    _local_only(ws, "restore")
    ws.require_writable()
    backup.check_restorable(source)
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError("restore replaces your history: confirm with --yes when not at a terminal")
        if not typer.confirm(f"Replace {ws.db_path} with {source}? (the current state is backed up first)"):
            raise typer.Abort
    before = backup.restore(ws.db_path, source, clock.now())
    out.print(
        f"restored {escape(str(source))}" + (f"; the previous state is in {escape(str(before))}" if before else "")
    )


def export_command(
    ctx: typer.Context,
    target: str | None = typer.Argument(None, metavar="[FILE]", help="Output file; `-` or none for stdout."),
    fmt: str = typer.Option("json", "--format", "-f", metavar="FORMAT", help="json | csv | anki | tsv."),
    lang: str = typer.Option("both", "--lang", metavar="LANG", help="anki/tsv: zh | en | both."),
) -> None:
    """Write the whole history (json; csv: the review log) or the cards for Anki (anki: .apkg; tsv)."""
    from llmprep import anki_export, interchange

    ws: Workspace = ctx.obj
    if fmt not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if fmt in ("anki", "tsv"):
        if lang not in anki_export.LANGS:
            raise UsageError(f"--lang must be zh, en or both, got {lang!r}")
        if fmt == "anki":
            if target in (None, "-"):
                raise UsageError("an .apkg is a file: give its name, e.g. `llmprep export --format anki llmprep.apkg`")
            count = anki_export.write_apkg(ws.decks, lang, Path(target))
            out.print(f"{count} notes written to {escape(target)}; import it in Anki (File > Import)")
            return
        _write(target, anki_export.tsv(ws.decks, lang))
        return
    with Session(ws.engine) as session:
        document = interchange.export(session, _config_text(ws), clock.now())
    text = json.dumps(document, ensure_ascii=False, indent=1) + "\n" if fmt == "json" else interchange.log_csv(document)
    _write(target, text)


def import_command(
    ctx: typer.Context,
    source: Path = typer.Argument(..., metavar="FILE.json", help="A history written by `llmprep export`."),
    merge: bool = typer.Option(False, "--merge", help="Add to a database that has a history; skip rows it has."),
) -> None:
    """Restore a history exported as JSON into a new database (or merge it into this one)."""
    from llmprep import interchange

    ws: Workspace = ctx.obj
    ws.require_writable()
    try:
        document = json.loads(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{source}: not a JSON history ({exc}); export one with `llmprep export`") from None
    interchange.check_document(document, str(source))
    with Session(ws.engine) as session, session.begin():
        counts = interchange.import_history(session, document, str(source), clock.now(), merge)
    if document.get("config") and not ws.config_path.exists():
        ws.config_path.write_text(document["config"], encoding="utf-8")
    out.print(
        f"imported {counts['review_log']} reviews, {counts['card_states']} card states, {counts['attempts']} attempts"
        + (f"; {counts['skipped']} already present" if counts["skipped"] else "")
    )


def _local_only(ws: Workspace, command: str) -> None:
    """backup and restore copy SQLite files: a PostgreSQL database is backed up by its server."""
    if ws.db_url is not None:
        from llmprep import store

        raise UsageError(
            f"`llmprep {command}` copies SQLite files and {store.describe(ws.db_url)} is a PostgreSQL database: "
            "use pg_dump / pg_restore (or the server's own backups), or `llmprep db copy` to a file"
        )


def _config_text(ws: Workspace) -> str:
    try:
        return ws.config_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except OSError as exc:
        raise StorageError(f"cannot read {ws.config_path}: {exc.strerror}") from None


def _write(target: str | None, text: str) -> None:
    if target in (None, "-"):
        sys.stdout.write(text)
        return
    path = Path(target)
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise StorageError(f"cannot write {path}: {exc.strerror}; nothing was written") from None
    err.print(f"written: {escape(str(path))}")
