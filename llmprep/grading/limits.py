"""Resource limits of a worker (applied in `sandbox`) and of the grading as a whole."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    check_seconds: float = 10.0  # wall time of one check
    total_seconds: float = 90.0  # wall time of all checks together
    startup_seconds: float = 60.0  # importing torch in a fresh worker
    memory_bytes: int = 4 << 30  # address space (CPU only: CUDA reserves huge virtual ranges)
    output_bytes: int = 1 << 20  # what the submission may print
    scratch_bytes: int = 64 << 20  # the worker's writable tmpfs
    extra_processes: int = 64  # over the user's current count (RLIMIT_NPROC is per user)


def user_process_count() -> int:
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
