"""A small process that starts each measured child and reports that child's own rusage.

Why a separate process: Linux carries a process's peak RSS across fork and exec (`ru_maxrss` of a child starts
at the RSS of whoever forked it), so children forked by the benchmark itself, which has Anki and llmprep
imported, would all report its ~150 MB. This launcher imports little; children forked from it start near zero.

Protocol: one JSON job per line on stdin ({"args", "env", "wait_for"}), one JSON result per line on stdout
({"cpu", "wall", "rss_mb"} or {"error"}).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

TIMEOUT_S = 300  # a child waiting for input that never comes is killed


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _answer_when_shown(proc: subprocess.Popen[str], marker: str) -> bool:
    """Read until `marker` shows, then send `q` and read the rest; False when it never shows."""
    assert proc.stdout is not None and proc.stdin is not None
    watchdog = threading.Timer(TIMEOUT_S, _kill, (proc.pid,))
    watchdog.start()
    try:
        shown = any(marker in line for line in proc.stdout)
        if shown:
            proc.stdin.write("q\n")
            proc.stdin.close()
            proc.stdout.read()
    finally:
        watchdog.cancel()
    return shown


def run(args: list[str], env: dict[str, str] | None, wait_for: str | None) -> dict[str, object]:
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            args,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE if wait_for else subprocess.DEVNULL,
            stderr=err,
            text=True,
        )
        assert proc.stdin is not None
        shown = True
        if wait_for is None:
            proc.stdin.close()
        else:
            shown = _answer_when_shown(proc, wait_for)
            if not shown:
                _kill(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        detail = " / ".join(err.read().decode(errors="replace").strip().splitlines()[-5:])
    if not shown:
        return {"error": f"never printed {wait_for!r}: {detail}"}
    if proc.returncode != 0:
        return {"error": f"exited {proc.returncode}: {detail}"}
    return {"cpu": usage.ru_utime + usage.ru_stime, "wall": wall, "rss_mb": usage.ru_maxrss / 1024}


def main() -> None:
    for line in sys.stdin:
        job = json.loads(line)
        try:
            result = run(job["args"], job["env"], job["wait_for"])
        except OSError as exc:
            result = {"error": str(exc)}
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
