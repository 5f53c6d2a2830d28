"""`llmprep config`: show or change settings."""

from __future__ import annotations

import dataclasses
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
    key: str | None = typer.Argument(None, help=f"Setting to show or change: {', '.join(core.KEYS)}."),
    value: str | None = typer.Argument(None, help="New value."),
    as_json: bool = typer.Option(False, "--json", help="Print all settings as JSON."),
) -> None:
    """Show settings, or set one: `llmprep config desired_retention 0.85`."""
    ws: Workspace = ctx.obj
    current = ws.config
    if key is not None and value is not None:
        updated = dataclasses.replace(current, **{key: core.parse_value(key, value)})
        core.save(ws.config_path, updated)
        out.print(f"{key} = {getattr(updated, key)!r}  [dim]({ws.config_path})[/]")
        return
    settings = core.as_dict(current)
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
