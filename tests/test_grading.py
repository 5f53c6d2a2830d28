"""Grading: every reference solution passes its card, every mutant fails the check it names, hostile
submissions get the right status and never pass, and the handwriting rules catch banned APIs."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmprep.grading import banned, catalogue, judge, selftest
from llmprep.grading.limits import Limits

ROOT = Path(__file__).parent.parent
HOSTILE = Path(__file__).parent / "hostile"
# Tight limits keep hostile cases quick; they are the same code paths as the defaults.
FAST = Limits(check_seconds=5.0, total_seconds=10.0, memory_bytes=1 << 30)


@pytest.mark.parametrize("card", catalogue.names())
def test_reference_solution_and_mutants(card: str) -> None:
    mutants = list((selftest.MUTATIONS / card).glob("*.py"))
    assert len(mutants) >= 5, f"{card} needs at least 5 mutants in tests/mutations/{card}/"
    failures = [o for o in selftest.check_card(card, seed=7) if not o.ok]
    assert not failures, "\n".join(f"{o.subject}: {o.detail}" for o in failures)


def test_every_card_has_its_files() -> None:
    for card in catalogue.names():
        folder = catalogue.card_dir(card)
        for name in ("card.yaml", "template.py", "checks.py"):
            assert (folder / name).is_file(), f"{card}: missing {name}"
        assert (ROOT / "solutions" / f"{card}.py").is_file(), f"{card}: missing solutions/{card}.py"


@pytest.mark.parametrize("path", sorted(HOSTILE.glob("*.py")), ids=lambda p: p.stem)
def test_hostile_submission_gets_its_status_and_never_passes(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    source = path.read_text(encoding="utf-8")
    expected = source.splitlines()[0].removeprefix("# expect-status: ").strip()
    verdict = judge.grade("mha", source, seed=3, limits=FAST)
    assert verdict["passed"] is False
    statuses = {c["status"] for c in verdict["checks"]}
    assert expected in statuses, verdict["checks"]
    assert not (tmp_path / "llmprep-was-here.txt").exists()


def test_templates_do_not_pass(tmp_path: Path) -> None:
    for card in catalogue.names():
        template = (catalogue.card_dir(card) / "template.py").read_text(encoding="utf-8")
        assert judge.grade(card, template, seed=1, limits=FAST)["passed"] is False, card


@pytest.mark.parametrize(
    ("source", "rules", "line"),
    [
        (
            "import torch.nn.functional as F\ny = F.scaled_dot_product_attention(q, k, v)\n",
            ("torch.nn.functional.scaled_dot_product_attention",),
            2,
        ),
        ("from torch.nn import functional as fn\n\nfn.softmax(x, -1)\n", ("torch.nn.functional.softmax",), 3),
        ("x = 1\ny = x.softmax(-1)\n", (".softmax",), 2),
        ("def f(a):\n    return sorted(a)\n", ("sorted",), 2),
        ("import heapq\n", ("import:heapq",), 1),
        ("from torch import topk as pick\npick(x, 3)\n", ("torch.topk",), 2),
        ("import torch\nattn = torch.nn.MultiheadAttention\n", ("torch.nn.MultiheadAttention",), 2),
    ],
)
def test_banned_calls_are_found_with_their_line(source: str, rules: tuple[str, ...], line: int) -> None:
    problems = banned.scan(source, rules)
    assert problems and problems[0]["status"] == "banned"
    assert problems[0]["message"].startswith(f"line {line}:")


def test_allowed_code_is_not_flagged() -> None:
    source = "import torch\ndef sort_key(x):\n    return x\nscores = torch.matmul(a, b)\nmy_sorted = 1\n"
    assert banned.scan(source, ("sorted", ".sort", "torch.topk")) == []


def test_syntax_error_is_reported_with_line() -> None:
    verdict = judge.grade("mha", "def broken(:\n", seed=1)
    assert verdict["passed"] is False
    assert verdict["checks"][0]["status"] == "error" and "line 1" in verdict["checks"][0]["message"]


def test_failure_report_has_shapes_errors_and_a_hint() -> None:
    source = (ROOT / "tests/mutations/mha/no_scaling.py").read_text(encoding="utf-8")
    verdict = judge.grade("mha", source, seed=5)
    check = next(c for c in verdict["checks"] if c["name"] == "self_attention")
    assert check["status"] == "fail"
    assert "shape (2, 5, 32)" in check["message"] and "max abs error" in check["message"]
    assert "sqrt(d_k)" in check["hint"]


def test_user_traceback_shows_only_their_lines() -> None:
    source = (
        "import torch\n"
        "class MultiHeadAttention(torch.nn.Module):\n"
        "    def __init__(self, d_model, num_heads):\n"
        "        super().__init__()\n"
        "        self.wq, self.wk, self.wv, self.wo = (torch.nn.Linear(d_model, d_model) for _ in range(4))\n"
        "    def forward(self, q, k, v, mask=None):\n"
        "        return q @ torch.ones(3, 3)\n"
    )
    verdict = judge.grade("mha", source, seed=1)
    check = next(c for c in verdict["checks"] if c["name"] == "self_attention")
    assert check["status"] == "error"
    assert "line 7, in forward" in check["message"]
    assert "worker.py" not in check["message"] and "judge" not in check["message"]


def test_seed_replays_the_same_inputs() -> None:
    source = (ROOT / "tests/mutations/mha/no_scaling.py").read_text(encoding="utf-8")
    first = judge.grade("mha", source, seed=11)
    again = judge.grade("mha", source, seed=11)
    assert [c["message"] for c in first["checks"]] == [c["message"] for c in again["checks"]]
