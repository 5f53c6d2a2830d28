"""The stdout and stderr consoles, so colour, width and plain output are decided once.

rich already honours NO_COLOR, TERM=dumb and non-TTY output (no colour, no cursor tricks).
"""

from __future__ import annotations

from rich.console import Console

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)
