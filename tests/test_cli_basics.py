from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from llmprep.cli import COMMANDS, register


def all_commands() -> list[list[str]]:
    found: list[list[str]] = []

    def walk(group: typer.Typer, prefix: list[str]) -> None:
        for command in group.registered_commands:
            found.append([*prefix, command.name or command.callback.__name__])
        for sub in group.registered_groups:
            found.append([*prefix, sub.name])
            walk(sub.typer_instance, [*prefix, sub.name])

    walk(register(), [])
    return found


def test_every_command_is_found_by_its_module() -> None:
    """COMMANDS (which module a run imports) names every command there is, each in the module defining it."""
    import importlib

    assert sorted(COMMANDS) == sorted(name for name, *sub in all_commands() if not sub)
    for command, module in COMMANDS.items():
        found = typer.Typer()
        importlib.import_module(f"llmprep.cli.{module}").register(found)
        names = [c.name or c.callback.__name__ for c in found.registered_commands] + [
            g.name for g in found.registered_groups
        ]
        assert command in names, (command, module)


@pytest.mark.parametrize("command", all_commands(), ids=" ".join)
def test_every_command_has_help(cli, command: list[str]) -> None:
    result = cli(*command, "--help")
    assert result.code == 0
    assert "Usage:" in result.out
    description = result.out.split("Usage:")[1].split("Options")[0]
    assert len(description.strip().splitlines()) >= 2, f"{command} has no help text"


PLACEHOLDERS = {
    "": ["--db PATH|URL", "--decks DIR"],
    "study": ["-d, --deck DECK", "-t, --tag TAG", "--new N", "--limit N", "--lang LANG"],
    "code": ["-f, --file PATH", "--device DEVICE", "--dtype DTYPE", "--seed N", "--lang LANG"],
    "stats": ["-d, --deck DECK", "-t, --tag TAG", "--days N", "--plot FILE.png"],
}
# what typer and click print for an option without a metavar: <list[str]>, <int range>, INTEGER RANGE, TEXT, [PATH]
TYPER_DEFAULT_METAVAR = re.compile(r"<[a-z][^>]*>|\b(?:INTEGER|TEXT|FLOAT|BOOLEAN|RANGE)\b|\[PATH\]")


@pytest.mark.parametrize("command", [[], *all_commands()], ids=lambda c: " ".join(c) or "llmprep")
def test_help_shows_readable_placeholders(cli, command: list[str]) -> None:
    result = cli(*command, "--help")
    assert result.code == 0
    options = result.out.split("Options:")[1].split("Commands:")[0]
    assert not TYPER_DEFAULT_METAVAR.search(options), options
    for placeholder in PLACEHOLDERS.get(" ".join(command), []):
        assert re.search(rf"^  {re.escape(placeholder)}  ", options, re.MULTILINE), (placeholder, options)


def test_no_torch_for_help_and_study(tmp_path: Path, demo_decks: Path) -> None:
    code = (
        "import sys, io\n"
        "from llmprep.cli import run\n"
        "assert run(['--help']) == 0\n"
        f"sys.stdin = io.StringIO('\\n3\\nq\\n')\n"
        f"assert run(['--decks', {str(demo_decks)!r}, 'study']) == 0\n"
        "assert run(['decks']) == 0\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr + done.stdout


def test_installed_console_script_runs(tmp_path: Path) -> None:
    done = subprocess.run(["llmprep", "--version"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0
    assert done.stdout.startswith("llmprep ")


def test_unknown_deck_is_a_usage_error(cli, demo_decks: Path) -> None:
    result = cli("--decks", str(demo_decks), "study", "--deck", "nope")
    assert result.code == 2
    assert "no deck `nope`" in result.err


def test_config_set_show_and_reject(cli, isolated: Path) -> None:
    assert cli("config", "desired_retention", "0.85").code == 0
    assert "0.85" in cli("config", "desired_retention").out
    bad = cli("config", "desired_retention", "2")
    assert bad.code == 2 and "between 0.7 and 0.99" in bad.err
    (isolated / "config.toml").write_text("desired_retention = [\n")
    broken = cli("config")
    assert broken.code == 1 and "config.toml: not valid TOML" in broken.err


def test_wheel_ships_the_decks(tmp_path: Path) -> None:
    root = Path(__file__).parent.parent
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(root),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    import zipfile

    (wheel,) = tmp_path.glob("llmprep-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {n for n in names if n.startswith("llmprep/decks/") and n.endswith(".yaml")}
    expected = {f"llmprep/decks/{p.name}" for p in (root / "decks").glob("*.yaml")}
    assert expected and expected <= shipped
    assert any(n.startswith("llmprep/grading/cards/") for n in names) or not list(
        (root / "llmprep/grading/cards").glob("*/checks.py")
    )
