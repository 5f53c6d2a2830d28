"""Grading the mha reference solution on CPU (`llmprep code mha --file ... --json`) against the floor of any
command that grades, `python -c "import torch"`.

Wall time and CPU time (user+sys of the command and everything it started) are measured in interleaved rounds,
so that a noisy machine slows every contender alike; medians with min-max are printed.

    python benchmarks/bench_grade.py [--before GIT_REV] [--rounds N]

`--before` also times the same command from a checkout of GIT_REV (a temporary git worktree), interleaved
with the current tree: the before/after figure for a change to the grader.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parent.parent


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, capture_output=True, env=env, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def summary(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:7.0f} ms ({min(values) * 1000:.0f}-{max(values) * 1000:.0f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", help="a git revision to compare with (e.g. HEAD~3)")
    parser.add_argument("--rounds", type=int, default=7)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"now": ROOT}
        if options.before:
            worktree = Path(tmp) / "before"
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(worktree), options.before],
                check=True,
                capture_output=True,
            )
            trees[f"before ({options.before})"] = worktree
        contenders: dict[str, tuple[list[str], dict[str, str]]] = {
            "python -c 'import torch'": ([sys.executable, "-c", "import torch"], dict(os.environ)),
        }
        for name, tree in trees.items():
            env = {**os.environ, "LLMPREP_HOME": str(Path(tmp) / name.split()[0]), "PYTHONPATH": str(tree)}
            args = [
                sys.executable,
                "-m",
                "llmprep",
                "code",
                "mha",
                "--file",
                str(tree / "solutions/mha.py"),
                "--device",
                "cpu",
                "--json",
            ]
            subprocess.run(args, capture_output=True, env=env, check=True)  # builds the deck cache and database
            contenders[f"llmprep code mha ({name})"] = (args, env)
        walls: dict[str, list[float]] = {name: [] for name in contenders}
        cpus: dict[str, list[float]] = {name: [] for name in contenders}
        for _ in range(options.rounds):
            for name, (args, env) in contenders.items():
                wall, cpu = timed(args, env)
                walls[name].append(wall)
                cpus[name].append(cpu)
        if options.before:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(trees[list(trees)[1]])],
                check=False,
                capture_output=True,
            )
    floor = "python -c 'import torch'"
    print(f"\ngrading, {options.rounds} interleaved rounds: median (min-max)")
    for name in contenders:
        wall_ratio = statistics.median(walls[name]) / statistics.median(walls[floor])
        cpu_ratio = statistics.median(cpus[name]) / statistics.median(cpus[floor])
        print(
            f"  {name:44} wall {summary(walls[name])} {wall_ratio:5.2f}x   "
            f"cpu {summary(cpus[name])} {cpu_ratio:5.2f}x import torch"
        )
    print("  goal: <= 1.5x import torch")


if __name__ == "__main__":
    main()
