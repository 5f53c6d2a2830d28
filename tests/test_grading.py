"""Grading: every reference solution passes its card, every mutant fails the check it names, hostile
submissions get the right status and never pass, and the handwriting rules catch banned APIs."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmprep.grading import banned, cardspec, catalogue, judge, selftest
from llmprep.grading.limits import Limits

ROOT = Path(__file__).parent.parent
# Tight limits keep hostile cases quick; they are the same code paths as the defaults.
FAST = Limits(check_seconds=5.0, total_seconds=10.0, memory_bytes=1 << 30)


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.parametrize("path", sorted((Path(__file__).parent / "legit").glob("*.py")), ids=lambda p: p.stem)
def test_correct_code_with_aliases_getattr_and_shadowed_names_passes(path: Path) -> None:
    """Legitimate patterns the bans must not mistake for banned calls: aliases and getattr to allowed
    functions, names that shadow banned ones, isinstance checks, a self-test under __main__."""
    source = path.read_text(encoding="utf-8")
    card = source.splitlines()[0].removeprefix("# card: ").strip()
    verdict = judge.grade(card, source, seed=5)
    assert verdict["passed"], verdict["checks"]
    assert verdict["sandbox"] in ("namespaces", "basic")


class _SpecWithChecks(cardspec.CardSpec):
    """The softmax card with other checks, to see how the judge counts a run that ends early."""

    checks_file: Path = Path()

    @property
    def checks_path(self) -> Path:
        return self.checks_file


@pytest.mark.parametrize(
    "ending",
    [
        "pytest.exit('stopped early')",  # pytest's own early exit
        "raise KeyboardInterrupt",  # what a SIGINT to the judge looks like from inside pytest
        "os._exit(0) if False else pytest.skip('skipped')",  # a skipped check is not a pass either
    ],
)
def test_a_run_that_ends_early_is_not_a_pass(ending: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checks = tmp_path / "checks.py"
    checks.write_text(
        "import os\nimport pytest\n\n"
        "def test_first(sub):\n    assert sub.call('softmax', __import__('torch').zeros(2)).shape == (2,)\n\n"
        f"def test_second(sub):\n    {ending}\n\n"
        "def test_third(sub):\n    pass\n",
        encoding="utf-8",
    )
    real = cardspec.load("softmax")
    spec = _SpecWithChecks(real.id, real.title, real.difficulty, real.banned, real.banned_ops, real.hints, FAST)
    object.__setattr__(spec, "checks_file", checks)
    monkeypatch.setattr(cardspec, "load", lambda card_id: spec)
    solution = (ROOT / "solutions" / "softmax.py").read_text(encoding="utf-8")
    try:
        verdict = judge.grade("softmax", solution, seed=1, limits=FAST)
    except judge.Interrupted:
        assert "KeyboardInterrupt" in ending
        return
    assert "KeyboardInterrupt" not in ending
    assert verdict["passed"] is False
    statuses = {c["name"]: c["status"] for c in verdict["checks"]}
    assert statuses["first"] == "pass"
    assert statuses["third"] != "pass" or statuses.get("second") != "pass"


@pytest.mark.parametrize("card", catalogue.names())
def test_runtime_bans_name_real_ops(card: str) -> None:
    """A misspelt op would silently ban nothing: every `banned_ops` entry must resolve in this torch."""
    import importlib

    import torch

    for entry in cardspec.load(card).banned_ops:
        if entry.startswith("module:"):
            importlib.import_module(entry.removeprefix("module:"))
            continue
        namespace, _, name = entry.partition(".")
        assert namespace == "aten" and hasattr(getattr(torch.ops, namespace), name), f"{card}: {entry}"


def test_progress_names_each_check_as_it_starts() -> None:
    seen: list[str | None] = []
    solution = (ROOT / "solutions" / "softmax.py").read_text(encoding="utf-8")
    verdict = judge.grade("softmax", solution, seed=2, progress=seen.append)
    assert seen == [c["name"] for c in verdict["checks"]]


def test_readme_catalogue_lists_every_card() -> None:
    from llmprep.grading import catalogue_md

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert catalogue_md.rewritten(readme) == readme, "run `python -m llmprep.grading.catalogue_md --write`"
    for card in catalogue.names():
        assert f"| `{card}` |" in readme


def test_the_gym_has_at_least_45_cards_each_with_six_mutants_or_more() -> None:
    assert len(catalogue.names()) >= 45
    few = {card: n for card in catalogue.names() if (n := len(list((selftest.MUTATIONS / card).glob("*.py")))) < 6}
    assert few == {}
