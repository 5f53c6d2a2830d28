"""Key points: the matcher that reads a typed answer, the deck format that declares them, and the built-in
cards' points agreeing with their own answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmprep import decks, paths, points
from llmprep.grading import catalogue

LORA = [
    {"zh": "B 为 0", "en": "B is zero", "match": ["B=0", "B 为 0", "ΔW=0"]},
    {"zh": "A 随机", "en": "A is random", "match": ["A 随机", "random A", "gaussian"]},
    {"zh": "缩放 α/r", "en": "scale α/r", "match": ["α/r", "alpha/r"]},
]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("B=0 so the update starts at zero; A is Gaussian; scaled by alpha/r", [True, True, True]),
        ("Ｂ＝０，A 随机", [True, True, False]),  # full-width letters and signs
        ("b = 0 and ΔW = 0", [True, False, False]),  # case and spacing
        ("ALPHA / R", [False, False, True]),
        ("", [False, False, False]),
        ("we initialise both randomly", [False, False, False]),  # `random A` needs its own words
    ],
)
def test_coverage_in_zh_and_en(answer: str, expected: list[bool]) -> None:
    assert points.coverage(LORA, answer) == expected


@pytest.mark.parametrize(
    ("alternative", "typed"),
    [
        ("√d_k", "divide by sqrt(d_k)"),
        ("sqrt(d_k)", "scores / √d_k"),
        ("x^2", "x²"),
        ("x**2", "x^2"),
        ("QKᵀ", "Q K^T"),
        ("1e-4", "1e−4"),
        ("O(n·k)", "O(n*k)"),
    ],
)
def test_formula_spellings_match_each_other(alternative: str, typed: str) -> None:
    assert points.coverage([{"match": [alternative]}], typed) == [True]


def test_distinct_formulas_do_not_match() -> None:
    assert points.coverage([{"match": ["√d_k"]}], "divide by d_k") == [False]
    assert points.coverage([{"match": ["x^2"]}], "x^3") == [False]


def _deck(tmp_path: Path, points_yaml: str) -> list[str]:
    path = tmp_path / "p.yaml"
    path.write_text(
        "deck: p\ntitle: {zh: a, en: b}\ncards:\n  - id: p-1\n    q: {zh: q, en: q}\n    a: {zh: a, en: a}\n"
        + points_yaml,
        encoding="utf-8",
    )
    _, _, problems = decks.parse_file(path)
    return problems


def test_points_are_validated_with_file_line_and_fix(tmp_path: Path) -> None:
    good = "    points:\n" + "".join(f"      - {{zh: z{i}, en: e{i}, match: [m{i}]}}\n" for i in range(3))
    assert _deck(tmp_path, good) == []
    too_few = "    points:\n      - {zh: z, en: e, match: [m]}\n"
    assert any("p.yaml:7" in p and "points" in p and "at least 3" in p for p in _deck(tmp_path, too_few))
    no_match = "    points:\n" + "".join(f"      - {{zh: z{i}, en: e{i}}}\n" for i in range(3))
    assert any("missing `points.match`" in p for p in _deck(tmp_path, no_match))
    empty_alternative = good.replace("[m0]", "['  ']")
    assert any("empty `match` alternative" in p for p in _deck(tmp_path, empty_alternative))


def test_every_point_is_made_by_its_own_answer() -> None:
    """Points cannot drift from answers: each point's match occurs in the card's answer (zh or en)."""
    drifted = []
    for deck in decks.load([paths.builtin_decks()], None, catalogue.names()):
        for card in deck.cards:
            for point in points.unmatched(card.points, card.a.values() if card.a else ()):
                drifted.append(f"{card.id}: {point['en']!r} ({point['match']})")
    assert drifted == []


def test_every_builtin_qa_card_has_points() -> None:
    missing = [
        card.id
        for deck in decks.load([paths.builtin_decks()], None, catalogue.names())
        for card in deck.cards
        if card.kind == "qa" and not card.points
    ]
    assert missing == []
