"""Wall time of grading the mha reference solution on CPU (`llmprep code mha --file ... --json`), as a ratio
to `python -c "import torch"`, the floor of any command that grades."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import command, median_seconds

ROOT = Path(__file__).parent.parent


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "LLMPREP_HOME": tmp}
        grade = command(
            [
                sys.executable,
                "-m",
                "llmprep",
                "code",
                "mha",
                "--file",
                str(ROOT / "solutions/mha.py"),
                "--device",
                "cpu",
                "--json",
            ],
            env,
        )
        grade()  # first run builds the deck cache and the database
        figures = {
            "python -c pass": median_seconds(command([sys.executable, "-c", "pass"])),
            "python -c 'import torch'": median_seconds(command([sys.executable, "-c", "import torch"])),
            "llmprep code mha --file (reference, cpu)": median_seconds(grade),
        }
    floor = figures["python -c 'import torch'"]
    print("\ngrading (median of 7)")
    for name, seconds in figures.items():
        print(f"  {name:44} {seconds * 1000:8.0f} ms   {seconds / floor:5.2f}x import torch")
    print("  goal: <= 2x import torch")


if __name__ == "__main__":
    main()
