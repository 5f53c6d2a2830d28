"""The built-in decks: sources on every card, no duplicate questions, coverage of the notes (SEED_MAP)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from llmprep import decks, paths
from llmprep.grading import catalogue

DECKS = paths.builtin_decks()
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.fixture(scope="module")
def cards() -> list[decks.Card]:
    return [card for deck in decks.load([DECKS], None, catalogue.names()) for card in deck.cards]


def test_at_least_410_qa_cards(cards: list[decks.Card]) -> None:
    assert sum(card.kind == "qa" for card in cards) >= 410


# what interviews of 2025-2026 ask: each topic deck with at least this many QA cards
TOPIC_DECKS = {
    "inference-serving": 25,
    "decoding": 12,
    "moe": 15,
    "rag": 15,
    "agents": 12,
    "reasoning": 15,
    "deepseek-v3-training": 12,
    "distillation-merging": 8,
    "multimodal": 10,
    "ssm-hybrid": 6,
    "safety": 6,
}


def test_topic_decks_have_their_cards(cards: list[decks.Card]) -> None:
    counts = {deck: sum(c.deck == deck and c.kind == "qa" for c in cards) for deck in TOPIC_DECKS}
    assert {d: n for d, n in counts.items() if n < TOPIC_DECKS[d]} == {}
    assert sum(c.deck == "algorithms" and c.kind == "qa" for c in cards) >= 6


def test_a_new_deck_is_studied_on_a_fresh_database(cli) -> None:
    result = cli("study", "--deck", "moe", input="\n3\nq\n")
    assert result.code == 0, result.err
    assert "moe" in result.out


def test_every_card_has_both_languages_and_sources(cards: list[decks.Card]) -> None:
    for card in cards:
        for field in ("q", "a", "pitfall"):
            text = getattr(card, field)
            if text is not None:
                assert text["zh"].strip() and text["en"].strip(), f"{card.id}: {field} needs zh and en"
        assert card.sources and all(s.strip() for s in card.sources), f"{card.id}: no sources"


def test_no_duplicate_questions(cards: list[decks.Card]) -> None:
    seen: dict[str, str] = {}
    for card in cards:
        for lang in ("zh", "en"):
            key = " ".join(card.q[lang].lower().split())
            assert key not in seen, f"{card.id} asks the same as {seen[key]}"
            seen[key] = card.id


def test_every_grader_has_a_code_card(cards: list[decks.Card]) -> None:
    graders = {card.grader for card in cards if card.kind == "code"}
    assert graders == set(catalogue.names())


def test_seed_map_ids_exist_and_cover_every_note(cards: list[decks.Card]) -> None:
    seed_map = yaml.safe_load((DECKS / "SEED_MAP.yaml").read_text(encoding="utf-8"))
    ids = {card.id for card in cards}
    if SEEDS.is_dir():
        assert set(seed_map) == {p.name for p in SEEDS.glob("*.txt")}
    for note, questions in seed_map.items():
        assert questions, f"{note}: no questions mapped"
        for entry in questions:
            assert entry["cards"], f"{note}: {entry['question']!r} maps to no card"
            missing = set(entry["cards"]) - ids
            assert not missing, f"{note}: {entry['question']!r} maps to unknown ids {missing}"
            if SEEDS.is_dir():
                note_text = "".join((SEEDS / note).read_text(encoding="utf-8").split())
                assert "".join(entry["question"].split()) in note_text, f"{note}: not quoted as in the note"
