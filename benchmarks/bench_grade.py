"""Grading the mha reference solution on CPU (`llmprep code mha --file ... --json`) against the floor of any
command that grades, `python -c "import torch"`.

CPU time (user+sys of the command and the processes it waited for: judge, workers) is the figure, wall time
secondary; interleaved rounds of fresh subprocesses with `python -c pass` in the same rounds.

    python benchmarks/bench_grade.py [--before GIT_REV] [--rounds N]

`--before` also times the same command from a checkout of GIT_REV (a temporary git worktree), interleaved
with the current tree: the before/after figure for a change to the grader.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import PASS_NAME, Row, Run, command, floors, interleave, table  # noqa: E402

ROOT = HERE.parent
TORCH_NAME = "python -c 'import torch'"
GOAL = 1.5


def grade_args(tree: Path) -> list[str]:
    solution = str(tree / "solutions" / "mha.py")
    return [sys.executable, "-m", "llmprep", "code", "mha", "--file", solution, "--device", "cpu", "--json"]


def grade_contender(tree: Path, home: Path) -> Run:
    env = {**os.environ, "LLMPREP_HOME": str(home), "PYTHONPATH": str(tree)}
    return command(grade_args(tree), env)


def grade_table(rounds: int, trees: dict[str, Path] | None = None) -> dict[str, Any]:
    """Interleaved rounds of `python -c pass`, `import torch` and grading from each tree (default: this one)."""
    trees = trees or {"": ROOT}
    with tempfile.TemporaryDirectory(prefix="llmprep-grade-") as tmp:
        contenders = {name: run for name, run in floors().items() if name == PASS_NAME}
        contenders[TORCH_NAME] = command([sys.executable, "-c", "import torch"])
        for label, tree in trees.items():
            name = f"llmprep code mha{f' ({label})' if label else ''}"
            contenders[name] = grade_contender(tree, Path(tmp) / f"home-{len(contenders)}")
        samples = interleave(contenders, rounds)  # the warm-up run builds each deck cache and database
    rows = [Row(PASS_NAME), Row(TORCH_NAME)] + [Row(n, goal=GOAL) for n in contenders if n.startswith("llmprep")]
    return table(f"grading mha on CPU, {rounds} interleaved rounds", rows, samples, TORCH_NAME)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", help="a git revision to compare with (e.g. HEAD~3)")
    parser.add_argument("--rounds", type=int, default=7)
    options = parser.parse_args()
    if not options.before:
        grade_table(options.rounds)
        return
    with tempfile.TemporaryDirectory(prefix="llmprep-before-") as tmp:
        worktree = Path(tmp) / "before"
        git = ["git", "-C", str(ROOT), "worktree"]
        subprocess.run([*git, "add", "--detach", str(worktree), options.before], check=True, capture_output=True)
        try:
            grade_table(options.rounds, {"now": ROOT, f"before {options.before}": worktree})
        finally:
            subprocess.run([*git, "remove", "--force", str(worktree)], check=False, capture_output=True)


if __name__ == "__main__":
    main()
