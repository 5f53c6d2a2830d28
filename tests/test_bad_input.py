"""Property-based: whatever bytes or documents a user's deck file, config file or `--file` holds, the outcome is
a loaded deck, a config, or one error line naming the file — never a traceback, a hang or unbounded memory."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmprep import config, decks
from llmprep.errors import DeckError, LlmprepError

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

yaml_scalars = st.one_of(st.text(max_size=30), st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False))
yaml_values = st.recursive(
    yaml_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def _outcome(path: Path) -> None:
    """parse_file reports problems as lines naming the file; it must never raise anything else."""
    try:
        _, _, problems = decks.parse_file(path)
    except DeckError as exc:
        problems = [exc.message]
    for line in problems:
        assert line.startswith(str(path)) and "\n" not in line.strip(), line


@FAST
@given(data=st.binary(max_size=400))
def test_random_bytes_as_a_deck(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "random.yaml"
    path.write_bytes(data)
    _outcome(path)


@FAST
@given(document=yaml_values)
def test_random_yaml_documents_as_a_deck(tmp_path: Path, document: object) -> None:
    import yaml

    path = tmp_path / "doc.yaml"
    path.write_text(yaml.safe_dump({"deck": "doc", "title": {"zh": "a", "en": "b"}, "cards": document}), "utf-8")
    _outcome(path)


@pytest.mark.parametrize(
    "text",
    [
        "\ufeffdeck: bom\ntitle: {zh: a, en: b}\ncards: []\n",  # a byte-order mark
        "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b]\n",
        "[" * 5000 + "]" * 5000,  # deep nesting
        "deck: x\ntitle: {zh: " + "a" * 5_000_000 + ", en: b}\ncards: []\n",  # a huge string
        "cards: " + "9" * 5000 + "\n",  # an integer too long to convert
    ],
    ids=["bom", "alias-bomb", "deep-nesting", "huge-string", "huge-integer"],
)
def test_hostile_deck_documents_are_one_line(tmp_path: Path, text: str) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    _outcome(path)


def test_aliases_are_refused_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "alias.yaml"
    path.write_text("deck: alias\ntitle: &t {zh: a, en: b}\ncards:\n  - id: x\n    q: *t\n    a: *t\n")
    _, _, problems = decks.parse_file(path)
    assert problems == [f"{path}:5: YAML aliases (*name) are not allowed in a deck; write it out"]


@FAST
@given(text=st.text(max_size=200))
def test_random_config_text(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    try:
        config.load(path)
    except LlmprepError as exc:
        assert str(path) in exc.message and "\n" not in exc.message, exc.message


@FAST
@given(data=st.binary(max_size=300))
def test_random_bytes_as_a_submission(cli, tmp_path: Path, data: bytes) -> None:
    """Bytes that are not a Python program (the fast path, before torch) give one line or a verdict."""
    try:
        compile(data, "<submission>", "exec")
        return  # a valid program would be graded for seconds; the grading tests cover that path
    except (SyntaxError, ValueError, UnicodeDecodeError):
        pass
    path = tmp_path / "submission.py"
    path.write_bytes(data)
    result = cli("code", "mha", "--file", str(path), "--json")
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    assert result.code in (1, 2), (result.code, result.err)
