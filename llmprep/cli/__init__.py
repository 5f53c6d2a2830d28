"""The `llmprep` command: global options, sub-commands, and the one error boundary."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import typer

from llmprep import __version__
from llmprep.errors import ExitCode, LlmprepError

app = typer.Typer(
    name="llmprep",
    help="Drill LLM-algorithm interview questions with spaced repetition, and hand-write code that gets graded.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        print(f"llmprep {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    db: str | None = typer.Option(
        None,
        "--db",
        metavar="PATH|URL",
        help="Database file, or a PostgreSQL URL postgresql+psycopg://USER@HOST/DBNAME shared by several machines "
        "(env LLMPREP_DB; default: LLMPREP_HOME or the user data dir).",
    ),
    decks: list[Path] | None = typer.Option(
        None,
        "--decks",
        metavar="DIR",
        help="Extra deck folder, merged with the built-in decks (repeatable; env LLMPREP_DECKS).",
    ),
    lang: str | None = typer.Option(
        None, "--lang", metavar="LANG", help="zh or en for every command's text (default from config, then the locale)."
    ),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    from llmprep.workspace import Workspace

    ctx.obj = Workspace.open(db, decks, lang)


# sub-command -> the module defining it: a run imports only its own command's module (and what that needs)
COMMANDS = {
    "study": "study",
    "decks": "decks",
    "code": "code",
    "stats": "stats",
    "optimize": "stats",
    "config": "config",
    "backup": "history",
    "restore": "history",
    "export": "history",
    "import": "history",
    "interview": "interview",
    "db": "db",
}
_GLOBAL_VALUES = {"--db", "--decks", "--lang"}  # global options followed by a value
_registered: set[str] = set()


def register(modules: list[str] | None = None) -> typer.Typer:
    """Add the sub-commands of `modules` (default: all, in help order) to the app, each module once."""
    import importlib

    for name in modules or list(dict.fromkeys(COMMANDS.values())):
        if name not in _registered:
            importlib.import_module(f"llmprep.cli.{name}").register(app)
            _registered.add(name)
    return app


def _command_of(argv: list[str]) -> str | None:
    """The sub-command argv names (after the global options), or None (`--help`, a typo: every command)."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in _GLOBAL_VALUES:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def _click_exceptions() -> Any:
    """Recent typer vendors click as `typer._click`; older typer depends on click itself."""
    try:
        from typer._click import exceptions
    except ImportError:
        from click import exceptions  # type: ignore[no-redef]
    return exceptions


def _bare_timed(argv: list[str]) -> list[str]:
    """`--timed` may come without its value (the card's own budget): click options cannot, so say it here."""
    if "--timed" not in argv:
        return argv
    from llmprep.cli.code import DURATION

    fixed = list(argv)
    for i, arg in enumerate(fixed):
        if arg == "--timed" and (i + 1 == len(fixed) or not DURATION.match(fixed[i + 1])):
            fixed[i] = "--timed=card"
    return fixed


def run(argv: list[str] | None = None) -> int:
    """Run the app and return its exit code; user errors become one line on stderr, never a traceback."""
    argv = _bare_timed(sys.argv[1:] if argv is None else argv)
    command = _command_of(argv)
    register([COMMANDS[command]] if command in COMMANDS else None)
    try:
        try:
            result = app(args=argv, prog_name="llmprep", standalone_mode=False)
        finally:
            from llmprep import store

            store.record_clean()
    except LlmprepError as exc:
        from rich.markup import escape

        from llmprep.console import err

        err.print(f"[bold red]error:[/] {escape(exc.message)}", soft_wrap=True)
        for line in exc.details:
            err.print(f"  {line}", soft_wrap=True, markup=False)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        exceptions = _click_exceptions()
        if isinstance(exc, typer.Abort):
            return 130
        if isinstance(exc, exceptions.ClickException):
            exc.show()
            return ExitCode.USAGE if isinstance(exc, exceptions.UsageError) else exc.exit_code
        if os.environ.get("LLMPREP_DEBUG") == "1":
            raise
        from rich.markup import escape

        from llmprep.console import err

        err.print(
            f"[bold red]internal error:[/] {type(exc).__name__}: {escape(str(exc))} (LLMPREP_DEBUG=1 shows the traceback)",
            soft_wrap=True,
        )
        return ExitCode.FAILED
    return result if isinstance(result, int) else ExitCode.OK


def main() -> None:
    sys.exit(run())
