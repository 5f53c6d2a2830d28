"""What is running on the machine, read from /proc: for tests that check grading leaves no process behind."""

from __future__ import annotations

import os
from pathlib import Path


def live_processes() -> dict[int, tuple[int, int, str]]:
    """pid -> (parent pid, session id, PID namespace) of every live process (zombies are already dead)."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            if fields[0] != "Z":
                table[int(entry.name)] = (int(fields[1]), int(fields[3]), os.readlink(f"/proc/{entry.name}/ns/pid"))
        except (OSError, ValueError):
            continue
    return table
