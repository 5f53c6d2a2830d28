"""`llmprep config`: show or change settings."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from llmprep import config as core
from llmprep.console import out
from llmprep.errors import UsageError
from llmprep.workspace import Workspace


def register(app: typer.Typer) -> None:
    app.command("config")(config_command)


def config_command(
    ctx: typer.Context,
    key: str | None = typer.Argument(None, metavar="KEY", help=f"Setting to show or change: {', '.join(core.KEYS)}."),
    value: str | None = typer.Argument(None, metavar="VALUE", help="New value."),
    reset: bool = typer.Option(False, "--reset", help="Put KEY back to its default."),
    as_json: bool = typer.Option(False, "--json", help="Print all settings as JSON."),
) -> None:
    """Show settings, or set one: `llmprep config desired_retention 0.85`; `llmprep config KEY --reset`."""
    ws: Workspace = ctx.obj
    if reset or value is not None:  # works on a file with an invalid value: that is how it gets repaired
        if key is None:
            raise UsageError("name the setting: `llmprep config KEY VALUE` or `llmprep config KEY --reset`")
        if reset and value is not None:
            raise UsageError("give a VALUE or --reset, not both")
        if key not in core.KEYS and not (reset and key in core.load_raw(ws.config_path)):
            raise UsageError(f"unknown setting `{key}`; known: {', '.join(core.KEYS)}")
        parsed = None if reset else core.parse_value(key, value or "")
        core.write_setting(ws.config_path, key, parsed)
        shown = getattr(core.Config(), key, None) if reset else parsed
        out.print(f"{key} = {shown!r}{' (default)' if reset else ''}  [dim]({ws.config_path})[/]")
        return
    settings = core.as_dict(ws.config)
    if key is not None:
        if key not in settings:
            raise UsageError(f"unknown setting `{key}`; known: {', '.join(core.KEYS)}")
        out.print(repr(settings[key]))
        return
    if as_json:
        print(json.dumps(settings))
        return
    table = Table(title=f"Settings ({ws.config_path})")
    table.add_column("setting")
    table.add_column("value")
    for name, setting in settings.items():
        table.add_row(name, repr(setting))
    out.print(table)
