"""Developer tool: grade a card's reference solution and its mutants from a source checkout.

    python -m llmprep.grading.selftest mha [more cards...]

Exit 0 when each solution passes every check and each mutant fails the check its first line names
(`# expect: check_name`).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from llmprep import paths
from llmprep.grading import catalogue, judge

MUTATIONS = Path(__file__).resolve().parents[2] / "tests" / "mutations"


@dataclass
class Outcome:
    card: str
    subject: str  # "solution" or the mutant's file name
    ok: bool
    detail: str


def expected_check(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    if not first.startswith("# expect: "):
        raise ValueError(f"{path}: first line must be `# expect: <check name>`")
    return first.removeprefix("# expect: ").strip()


def check_card(card: str, seed: int = 1) -> list[Outcome]:
    outcomes = []
    solution = paths.solutions() / f"{card}.py"
    verdict = judge.grade(card, solution.read_text(encoding="utf-8"), seed=seed)
    failing = [f"{c['name']}: {c['status']} {c['message'][:300]}" for c in verdict["checks"] if c["status"] != "pass"]
    outcomes.append(Outcome(card, "solution", verdict["passed"], "; ".join(failing)))
    for mutant in sorted((MUTATIONS / card).glob("*.py")):
        expect = expected_check(mutant)
        verdict = judge.grade(card, mutant.read_text(encoding="utf-8"), seed=seed)
        statuses = {c["name"]: c["status"] for c in verdict["checks"]}
        ok = not verdict["passed"] and statuses.get(expect, "missing") not in ("pass", "missing")
        detail = f"expected `{expect}` to fail; got {statuses}"
        outcomes.append(Outcome(card, mutant.name, ok, "" if ok else detail))
    return outcomes


def main(argv: list[str]) -> int:
    cards = argv or catalogue.names()
    bad = 0
    for card in cards:
        for outcome in check_card(card):
            mark = "ok  " if outcome.ok else "FAIL"
            bad += not outcome.ok
            print(f"{mark} {outcome.card:14} {outcome.subject:32} {outcome.detail}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
