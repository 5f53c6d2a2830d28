"""Key points of an answer: which of a card's points a typed answer makes.

A point is made when one of its `match` alternatives occurs in the answer after both are normalised the same
way: Unicode compatibility forms (full-width `ＢＡ` is `BA`, `ᵀ` is `T`), case, spacing and the spelling of a
few formulas (`sqrt(d_k)` and `√d_k`; `x^2` and `x²`; `1e-4` and `1e−4`) do not matter.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

_SPELLINGS = (
    ("sqrt", "√"),
    ("−", "-"),  # the minus sign
    ("–", "-"),
    ("×", "*"),
    ("·", "*"),
    ("⋅", "*"),
    ("**", "^"),
    ("≤", "<="),
    ("≥", ">="),
    ("→", "->"),
    ("，", ","),
    ("。", "."),
)
_DROP = re.compile(r"[\s()（）\[\]{}_^`'\"“”‘’]+")  # x^2, x**2 and x² all read `x2`


def normalise(text: str) -> str:
    """The form answers and alternatives are compared in."""
    text = unicodedata.normalize("NFKC", text).casefold()
    for spelled, canonical in _SPELLINGS:
        text = text.replace(spelled, canonical)
    return _DROP.sub("", text)


def coverage(points: Sequence[Mapping[str, Any]], answer: str) -> list[bool]:
    """Per point, whether the answer makes it (one of its `match` alternatives occurs in it)."""
    typed = normalise(answer)
    return [any(alt and alt in typed for alt in map(normalise, p["match"])) for p in points]


def unmatched(points: Sequence[Mapping[str, Any]], answers: Iterable[str]) -> list[Mapping[str, Any]]:
    """The points that none of `answers` makes: a card's points must be made by its own answer text."""
    made = [False] * len(points)
    for answer in answers:
        made = [m or hit for m, hit in zip(made, coverage(points, answer or ""), strict=True)]
    return [p for p, m in zip(points, made, strict=True) if not m]
