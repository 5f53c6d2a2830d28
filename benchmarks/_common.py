"""Shared by the benchmarks: running one child process and reading its own rusage, interleaved rounds, the
floors, and the tables.

Every measured run is a fresh subprocess, started by `_launcher.py`; its CPU time (user+sys), wall time and peak
RSS come from `os.wait4` on that child alone (CPU and RSS include the processes it waited for). Contenders run interleaved, A B C A B C
..., so that a noisy machine slows each of them alike; medians with min-max are reported.
"""

from __future__ import annotations

import atexit
import json
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STACK = "import typer, rich.markdown, sqlalchemy.orm, yaml, fsrs"
PASS_NAME = "python -c pass"
STACK_NAME = "dependency stack import"
LAUNCHER = Path(__file__).resolve().parent / "_launcher.py"


@dataclass(frozen=True)
class Sample:
    cpu: float  # seconds, user + sys
    wall: float  # seconds
    rss_mb: float  # peak resident set size


Run = Callable[[], Sample]


class Launcher:
    """The `_launcher.py` process, started once: it forks every measured child (see its docstring for why)."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[str] | None = None

    def run(self, args: list[str], env: dict[str, str] | None, wait_for: str | None) -> Sample:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen(
                [sys.executable, "-S", str(LAUNCHER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
            )
            atexit.register(self.close)
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(json.dumps({"args": args, "env": env, "wait_for": wait_for}) + "\n")
        self._proc.stdin.flush()
        result = json.loads(self._proc.stdout.readline())
        if "error" in result:
            raise RuntimeError(f"{' '.join(args[:6])}: {result['error']}")
        return Sample(result["cpu"], result["wall"], result["rss_mb"])

    def close(self) -> None:
        if self._proc is not None and self._proc.stdin is not None:
            self._proc.stdin.close()
            self._proc.wait()
            self._proc = None


_launcher = Launcher()


def run_child(args: list[str], env: dict[str, str] | None = None, *, wait_for: str | None = None) -> Sample:
    """Run `args` to its end; with `wait_for`, read its output until a line holds that text, then send `q`."""
    return _launcher.run(args, env, wait_for)


def command(args: list[str], env: dict[str, str] | None = None, *, wait_for: str | None = None) -> Run:
    return lambda: run_child(args, env, wait_for=wait_for)


def floors() -> dict[str, Run]:
    return {
        PASS_NAME: command([sys.executable, "-c", "pass"]),
        STACK_NAME: command([sys.executable, "-c", STACK]),
    }


def interleave(contenders: dict[str, Run], rounds: int, *, warm: bool = True) -> dict[str, list[Sample]]:
    """`rounds` rounds, each running every contender once in turn; a warm-up run of each first (caches built,
    as on every day after the first), not counted."""
    if warm:
        for run in contenders.values():
            run()
    samples: dict[str, list[Sample]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, run in contenders.items():
            samples[name].append(run())
    return samples


def median(values: list[float]) -> float:
    return statistics.median(values)


@dataclass(frozen=True)
class Row:
    name: str
    anki: str | None = None  # the row this one is compared with
    goal: float | None = None  # at most this many times the table's floor, CPU
    rss: bool = False  # show the peak RSS
    goal_anki: float | None = None  # at most this many times Anki's row, CPU


def _ratio(a: float, b: float | None) -> str:
    return f"{a / b:5.2f}x" if b else "    -"


def table(title: str, rows: list[Row], samples: dict[str, list[Sample]], floor: str) -> dict[str, Any]:
    """Print one table (CPU is the figure, wall secondary); return it for the JSON file."""
    cpu = {name: median([s.cpu for s in values]) for name, values in samples.items()}
    floor_label = "x stack" if floor == STACK_NAME else "x floor"
    print(f"\n{title}  (floor: {floor})")
    print(
        f"  {'figure':40} {'CPU med s':>9} {'min-max':>13} {'wall med':>8} {'x Anki':>7} {'x pass':>7} "
        f"{floor_label:>7}  {'goal':14} {'peak RSS MB':>11}"
    )
    out: dict[str, Any] = {"floor": floor, "rows": {}}
    for row in rows:
        if row.name not in samples:
            continue
        values = samples[row.name]
        c = cpu[row.name]
        wall = median([s.wall for s in values])
        rss = median([s.rss_mb for s in values])
        anki_cpu = cpu.get(row.anki) if row.anki else None
        goal = ""
        if row.goal is not None:
            goal = f"<={row.goal}x {'met' if c / cpu[floor] <= row.goal else 'not met'}"
        if row.goal_anki is not None and anki_cpu:
            goal = f"<={row.goal_anki}xA {'met' if c / anki_cpu <= row.goal_anki else 'not met'}"
        print(
            f"  {row.name:40} {c:9.3f} {min(s.cpu for s in values):6.3f}-{max(s.cpu for s in values):6.3f} "
            f"{wall:8.3f} {_ratio(c, anki_cpu):>7} {_ratio(c, cpu[PASS_NAME]):>7} {_ratio(c, cpu[floor]):>7}  "
            f"{goal:14} {f'{rss:11.0f}' if row.rss else '':>11}"
        )
        out["rows"][row.name] = {
            "cpu_median_s": c,
            "cpu_min_s": min(s.cpu for s in values),
            "cpu_max_s": max(s.cpu for s in values),
            "wall_median_s": wall,
            "peak_rss_mb_median": rss,
            "x_anki_cpu": c / anki_cpu if anki_cpu else None,
            "x_pass_cpu": c / cpu[PASS_NAME],
            "x_floor_cpu": c / cpu[floor],
            "x_floor_wall": wall / median([s.wall for s in samples[floor]]),
            "goal_x_floor": row.goal,
            "goal_x_anki": row.goal_anki,
            "samples": [[s.cpu, s.wall, s.rss_mb] for s in values],
        }
    return out
