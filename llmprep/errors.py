"""User-facing errors and exit codes. The core raises these; one boundary in cli prints them."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1  # a check failed, a deck is invalid, something the user must fix
    USAGE = 2  # bad options or arguments
    INTERRUPTED = 130  # Ctrl-C, as a shell reports SIGINT


class LlmprepError(Exception):
    """An error whose message is shown to the user as one line (or a short list), without a traceback."""

    exit_code: ExitCode = ExitCode.FAILED

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class UsageError(LlmprepError):
    exit_code = ExitCode.USAGE


class DeckError(LlmprepError):
    """One or more deck files are invalid; `details` holds one `file:line: card: problem` line each."""


class StorageError(LlmprepError):
    """The database cannot be opened or written."""
