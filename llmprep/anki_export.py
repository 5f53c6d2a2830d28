"""Cards for Anki: an .apkg (genanki) with one note per card, or a TSV for Anki's text import.

Each deck becomes a subdeck `llmprep::<deck>`; notes carry the card's tags and a GUID derived from its id, so
exporting again updates the notes in Anki instead of duplicating them. Markdown is rendered to HTML (code
blocks kept as <pre><code>); `lang` picks zh, en or both (zh above en).
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from llmprep.decks import Card, Deck

LANGS = ("zh", "en", "both")
FIELDS = ("Id", "Question", "Answer", "Pitfall", "Sources")
MODEL_ID = 1_741_070_311  # fixed forever: Anki recognises the note type of a later export by it
ROOT_DECK = "llmprep"


def _stable_id(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") | (1 << 30)


def render_markdown(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table").render(text).strip()


def _field(card: Card, field: str, lang: str) -> str:
    value = getattr(card, field)
    if not value:
        return ""
    if lang == "both":
        return f"{render_markdown(value['zh'])}<hr>{render_markdown(value['en'])}"
    return render_markdown(value[lang])


def _answer(card: Card, lang: str) -> str:
    if card.kind == "code":
        command = f"<p><code>llmprep code {html.escape(card.grader or '')}</code></p>"
        return command + (
            "<p>Hand-write it, then let llmprep grade it.</p>" if lang != "zh" else "<p>手写后用 llmprep 评测。</p>"
        )
    return _field(card, "a", lang)


def note_fields(card: Card, lang: str) -> list[str]:
    sources = "".join(f"<li>{html.escape(s)}</li>" for s in card.sources)
    return [
        html.escape(card.id),
        _field(card, "q", lang),
        _answer(card, lang),
        _field(card, "pitfall", lang),
        f"<ul>{sources}</ul>" if sources else "",
    ]


def deck_name(deck: Deck) -> str:
    return f"{ROOT_DECK}::{deck.id}"


def _tags(card: Card) -> list[str]:
    return [t.replace(" ", "_") for t in card.tags] + [f"{ROOT_DECK}::{card.deck}"]


def write_apkg(decks: Iterable[Deck], lang: str, out: Path) -> int:
    """Write the package; returns the number of notes. The file appears complete or not at all."""
    import genanki

    model = genanki.Model(
        MODEL_ID,
        "llmprep card",
        fields=[{"name": f} for f in FIELDS],
        templates=[
            {
                "name": "Card 1",
                "qfmt": "{{Question}}",
                "afmt": "{{FrontSide}}<hr id=answer>{{Answer}}"
                "{{#Pitfall}}<div class=pitfall><b>Pitfall</b>{{Pitfall}}</div>{{/Pitfall}}"
                "{{#Sources}}<div class=sources>{{Sources}}</div>{{/Sources}}",
            }
        ],
        css=".card { font-family: sans-serif; text-align: left; } pre { background: #f4f4f4; padding: 6px; }"
        " .pitfall { border-left: 3px solid #d33; padding-left: 8px; margin-top: 12px; }"
        " .sources { font-size: 80%; color: #666; }",
    )
    packages: list[Any] = []
    count = 0
    for deck in decks:
        anki_deck = genanki.Deck(_stable_id(deck_name(deck)), deck_name(deck))
        for card in deck.cards:
            anki_deck.add_note(
                genanki.Note(
                    model=model, fields=note_fields(card, lang), tags=_tags(card), guid=genanki.guid_for(card.id)
                )
            )
            count += 1
        packages.append(anki_deck)
    partial = out.with_name(out.name + ".partial")
    try:
        genanki.Package(packages).write_to_file(str(partial))
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return count


def tsv(decks: Iterable[Deck], lang: str) -> str:
    """Anki's text import, with its file headers: the Basic note type (Front: the question; Back: answer,
    pitfall and sources), HTML fields, the card id as GUID, and deck and tags columns."""
    buffer = io.StringIO()
    buffer.write("#separator:tab\n#html:true\n#notetype:Basic\n#guid column:1\n#deck column:2\n#tags column:5\n")
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    for deck in decks:
        for card in deck.cards:
            _, question, answer, pitfall, sources = note_fields(card, lang)
            back = answer + (f"<hr><b>Pitfall</b>{pitfall}" if pitfall else "") + sources
            writer.writerow([genanki_guid(card.id), deck_name(deck), question, back, " ".join(_tags(card))])
    return buffer.getvalue()


def genanki_guid(card_id: str) -> str:
    import genanki

    return str(genanki.guid_for(card_id))
