"""Resource limits for the worker process, applied between fork and exec."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    check_seconds: float = 10.0  # wall time of one check
    total_seconds: float = 90.0  # wall time of all checks together
    startup_seconds: float = 60.0  # importing torch in a fresh worker
    memory_bytes: int = 4 << 30  # address space (CPU only: CUDA reserves huge virtual ranges)
    output_bytes: int = 1 << 20  # what the submission may print
    extra_processes: int = 64  # over the user's current count (RLIMIT_NPROC is per user)


def _user_process_count() -> int:
    uid = os.getuid()
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += 1
            except OSError:
                continue
    return count


def _virtual_size() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def preexec(limits: Limits, device: str, *, forked: bool = False) -> object:
    """Return the function the child runs before exec (or before serving, when `forked`).

    A forked worker keeps the judge's address space, so its budget is added on top of what it already maps.
    """
    nproc = _user_process_count() + limits.extra_processes

    def apply() -> None:
        if device == "cpu":
            budget = limits.memory_bytes + (_virtual_size() if forked else 0)
            resource.setrlimit(resource.RLIMIT_AS, (budget, budget))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.output_bytes, limits.output_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
        # Past the output limit a write fails with EFBIG instead of killing the worker silently.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    return apply
