"""Typing an answer (`study --type`, `interview`): reading it, and showing which of the card's points it made."""

from __future__ import annotations

import subprocess

from rich.console import Console
from rich.markup import escape

from llmprep.answers import Checked
from llmprep.console import out
from llmprep.decks import Card
from llmprep.errors import LlmprepError
from llmprep.keys import KeyReader
from llmprep.messages import rating_name, t
from llmprep.workspace import Workspace

MAX_ANSWER_CHARS = 20_000  # a spoken answer is a few hundred characters; a pasted file must not grow the database


def read_answer(ws: Workspace, keys: KeyReader, lang: str, console: Console = out) -> str | None:
    """Whole lines until an empty line or end of input (Ctrl-D); a line `e` alone opens $EDITOR on what was typed
    so far, and the saved file is the answer. None: the user quits (`q` alone first, or input ended at once).

    Lines, not keys, on a terminal too: an answer is sentences, read in the terminal's own line editing."""
    console.print(t("typed.prompt", lang))
    lines: list[str] = []
    while True:
        line = keys.stream.readline()
        if not line:
            if not lines:
                return None
            break
        line = line.rstrip("\r\n")
        if not line.strip():
            break
        if not lines and line.strip().lower() == "q":
            return None
        if line.strip().lower() == "e":
            return _edit(ws, "\n".join(lines), lang, console)[:MAX_ANSWER_CHARS]
        lines.append(line)
    return "\n".join(lines)[:MAX_ANSWER_CHARS]


def _edit(ws: Workspace, draft: str, lang: str, console: Console) -> str:
    from llmprep.cli.code import editor_command

    path = ws.data_dir / "workspace" / "answer.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(draft + "\n" if draft else "", encoding="utf-8")
    editor = editor_command(ws)
    try:
        subprocess.run([*editor, str(path)], check=False)
    except FileNotFoundError:
        raise LlmprepError(f"editor `{editor[0]}` not found: set $EDITOR, or type the answer in the terminal") from None
    text = path.read_text(encoding="utf-8", errors="replace").strip()
    console.print(t("typed.from_editor", lang, chars=len(text)))
    return text


def show_check(card: Card, checked: Checked, lang: str, console: Console = out) -> None:
    """The checklist of the card's points, each hit or missed, and the rating it suggests."""
    if not checked.hits:
        return
    console.print(t("typed.checklist", lang, hit=checked.points_hit, total=len(checked.hits)))
    for point, hit in zip(card.points, checked.hits, strict=True):
        text = escape(point.get(lang) or point["en"])
        console.print(t("typed.hit" if hit else "typed.missed", lang, point=text))
    if checked.suggested is not None:
        seconds = "—" if checked.seconds is None else f"{checked.seconds:.0f}"
        console.print(t("typed.suggested", lang, rating=rating_name(checked.suggested, lang), seconds=seconds))
