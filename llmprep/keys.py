"""Reading the user's answers: single key presses on a terminal, whole lines otherwise (scripts, pipes)."""

from __future__ import annotations

import sys
from typing import TextIO


class KeyReader:
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdin
        self.interactive = self.stream.isatty()

    def read(self) -> str:
        """One key (TTY) or one line stripped (non-TTY). End of input reads as `q`; Enter as ``; Space as ` `
        (a line holding only spaces, when not a TTY)."""
        if self.interactive:
            import typer

            key = typer.getchar()
            if key == "\x03":
                raise KeyboardInterrupt
            if key == "\x04":
                return "q"
            if key == " ":
                return " "
            return "" if key in ("\r", "\n") else key.lower()
        line = self.stream.readline()
        if not line:
            return "q"
        if line.strip("\r\n") and not line.strip():
            return " "
        return line.strip().lower()
