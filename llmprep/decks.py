"""Load and validate YAML decks into typed Card records.

Every problem is reported as `file:line: card-id: what is wrong and how to fix it`. Parsed decks are
cached (keyed on each file's size and mtime) beside the database, so a daily `study` does not re-parse
and re-validate hundreds of cards; pydantic and the YAML parser are imported only on a cache miss.
A broken built-in deck is an error; a broken personal deck (--decks) is skipped with a warning.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from llmprep.errors import DeckError

MAX_DECK_CHARS = 4_000_000  # the largest built-in deck is ~0.2 MB
CACHE_VERSION = 6  # 4: cards carry `priority`; 5: `points`; 6: `renamed_from`
LANGS = ("zh", "en")


@dataclass(slots=True)  # not frozen: frozen dataclasses are slow to build, and a daily start builds thousands
class Card:
    id: str
    deck: str
    kind: str  # "qa" | "code"
    tags: tuple[str, ...]
    q: dict[str, str]
    a: dict[str, str] | None
    pitfall: dict[str, str] | None
    sources: tuple[str, ...]
    grader: str | None
    file: str
    line: int
    content_hash: str  # changes when the card's text changes; history stays keyed on the id
    priority: str = "normal"  # "high": a question interviews ask often; new cards of this kind come first
    points: tuple[dict[str, Any], ...] = ()  # key points of a good answer: {zh, en, match: [alternatives]}
    renamed_from: tuple[str, ...] = ()  # earlier ids of this card: their history becomes this card's

    def text(self, field: str, lang: str) -> str | None:
        value = getattr(self, field)
        if value is None:
            return None
        return value.get(lang) or value.get("en") or value.get("zh")


@dataclass(frozen=True)
class Deck:
    id: str
    title: dict[str, str]
    file: str
    cards: tuple[Card, ...]


def content_hash(card: dict[str, Any]) -> str:
    fields = [card["kind"], card["tags"], card["q"], card["a"], card["pitfall"], card["grader"]]
    if card.get("points"):  # cards without points keep the hash they had before points existed
        fields.append(card["points"])
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:16]


# ---------------------------------------------------------------- parsing (cache misses only)


def _parse_yaml(text: str, file: str) -> Any:
    """YAML -> plain data whose mappings remember the line of each key (for error messages)."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class LineLoader(base):  # type: ignore[misc, valid-type]
        pass

    def construct_mapping(loader: Any, node: Any) -> dict[str, Any]:
        mapping = _LineDict()
        mapping.line = node.start_mark.line + 1
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise DeckError(f"{file}:{key_node.start_mark.line + 1}: keys must be text, got {key!r}")
            if key in mapping:
                raise DeckError(f"{file}:{key_node.start_mark.line + 1}: duplicate key `{key}`; keep one")
            mapping[key] = loader.construct_object(value_node, deep=True)
            mapping.key_lines[key] = key_node.start_mark.line + 1
        return mapping

    LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    if len(text) > MAX_DECK_CHARS:
        raise DeckError(f"{file}: {len(text):,} characters; a deck file is at most {MAX_DECK_CHARS:,}: split it")
    try:
        if "*" in text:  # aliases share one node many times over: a few lines can stand for billions of values
            for event in yaml.parse(text, Loader=base):
                if isinstance(event, yaml.AliasEvent):
                    line = event.start_mark.line + 1
                    raise DeckError(f"{file}:{line}: YAML aliases (*name) are not allowed in a deck; write it out")
        return yaml.load(text, Loader=LineLoader)
    except RecursionError:
        raise DeckError(f"{file}: nested too deeply to be a deck; a deck is a mapping of cards") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise DeckError(f"{file}:{line}: YAML syntax error: {exc.problem or exc}; fix the syntax") from None
    except yaml.YAMLError as exc:  # e.g. a control character (ReaderError): its text spans lines, the first says it
        raise DeckError(f"{file}: YAML error: {str(exc).splitlines()[0]}; fix or remove it") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits (Python's int/str conversion limit)
        raise DeckError(f"{file}: a value cannot be read ({exc}); shorten it or quote it as text") from None


class _LineDict(dict):  # type: ignore[type-arg]
    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.key_lines: dict[str, int] = {}


def _line_of(root: Any, loc: Iterable[Any]) -> int:
    """Deepest known line along a pydantic error location."""
    line = getattr(root, "line", 0)
    node = root
    for part in loc:
        if isinstance(node, _LineDict) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            line = getattr(node, "line", line)
        else:
            break
    return line


def _models() -> Any:
    """The pydantic schema of a deck file (built lazily: pydantic is only needed on a cache miss)."""
    from typing import Literal

    from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

    class Text(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)
        zh: str
        en: str

        @field_validator("zh", "en")
        @classmethod
        def not_empty(cls, value: str) -> str:
            if not value.strip():
                raise ValueError("text is empty; write the text or remove the field")
            return value

    class Point(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)
        zh: str
        en: str
        match: list[str] = Field(min_length=1)

        @field_validator("zh", "en")
        @classmethod
        def not_empty(cls, value: str) -> str:
            if not value.strip():
                raise ValueError("a point's text is empty; write it in zh and en")
            return value

        @field_validator("match")
        @classmethod
        def alternatives(cls, value: list[str]) -> list[str]:
            if any(not m.strip() for m in value):
                raise ValueError("an empty `match` alternative matches every answer; remove it")
            return value

    class CardModel(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)
        id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
        kind: Literal["qa", "code"] = "qa"
        tags: list[str] = []
        q: Text
        a: Text | None = None
        pitfall: Text | None = None
        sources: list[str] = []
        grader: str | None = None
        priority: Literal["high", "normal"] = "normal"
        points: list[Point] | None = Field(default=None, min_length=3, max_length=6)
        renamed_from: list[str] = []

        @model_validator(mode="after")
        def kind_fields(self) -> CardModel:
            if self.kind == "qa" and self.a is None:
                raise ValueError("a `qa` card needs an answer `a: {zh: ..., en: ...}`")
            if self.kind == "qa" and self.grader is not None:
                raise ValueError("`grader` is only for `kind: code` cards")
            if self.kind == "code" and self.grader is None:
                raise ValueError("a `code` card names its grader, e.g. `grader: mha`")
            if self.kind == "code" and self.a is not None:
                raise ValueError("a `code` card has no `a`: its grader holds the reference solution")
            if self.id in self.renamed_from:
                raise ValueError("`renamed_from` lists the card's OLD ids, not its own")
            if self.kind == "code" and self.points:
                raise ValueError("`points` are for `qa` cards: a `code` card is graded by its checks")
            return self

    class DeckModel(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)
        deck: str
        title: Text
        cards: list[Any] = Field(min_length=1)

    return DeckModel, CardModel


def _explain(err: dict[str, Any]) -> str:
    where = ".".join(str(p) for p in err["loc"] if not isinstance(p, int))
    if not where.isprintable():  # a key holding a newline or a control character is shown escaped, on one line
        where = where.encode("unicode_escape").decode("ascii")
    kind = err["type"]
    if kind == "missing":
        return f"missing `{where}`; add it"
    if kind == "extra_forbidden":
        return f"unknown key `{where}`; remove it or fix its spelling"
    if kind == "string_pattern_mismatch":
        return f"`{where}` must be lowercase letters, digits and dashes (e.g. `lora-init`)"
    msg = err["msg"].removeprefix("Value error, ")
    return f"`{where}`: {msg}" if where else msg


def parse_file(path: Path) -> tuple[dict[str, Any] | None, list[dict[str, Any]], list[str]]:
    """Validate one deck file: (its header, or None when unusable; its valid cards; every problem found).

    A file with problems still yields its valid cards, so `decks validate` can check them across files too.
    """
    from pydantic import ValidationError

    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [], [f"{file}: not UTF-8 text (byte {exc.start}); save the file as UTF-8"]
    except OSError as exc:
        return None, [], [f"{file}: cannot read ({exc.strerror})"]
    try:
        root = _parse_yaml(text, file)
    except DeckError as exc:
        return None, [], [exc.message]
    if not isinstance(root, _LineDict):
        return None, [], [f"{file}:1: a deck file is a mapping with `deck`, `title` and `cards`"]
    deck_model, card_model = _models()
    problems: list[str] = []
    header_ok = True
    try:
        deck_model.model_validate(root)
    except ValidationError as exc:
        problems += [f"{file}:{_line_of(root, e['loc'])}: {_explain(e)}" for e in exc.errors()]
        header_ok = not any(e["loc"] and e["loc"][0] in ("deck", "title") for e in exc.errors())
    deck_id = root.get("deck")
    if isinstance(deck_id, str) and deck_id != path.stem:
        problems.append(f"{file}:{root.key_lines['deck']}: `deck: {deck_id}` must equal the file name `{path.stem}`")
    cards: list[dict[str, Any]] = []
    raw_cards = root.get("cards") if isinstance(root.get("cards"), list) else []
    seen: dict[str, int] = {}
    for raw in raw_cards:
        line = getattr(raw, "line", root.key_lines.get("cards", 0))
        label = str(raw.get("id", "?")) if isinstance(raw, dict) else "?"
        if not label.isprintable():
            label = label.encode("unicode_escape").decode("ascii")
        if not isinstance(raw, dict):
            problems.append(f"{file}:{line}: each card is a mapping with `id`, `q`, `a`...")
            continue
        try:
            card = card_model.model_validate(raw)
        except ValidationError as exc:
            problems += [f"{file}:{_line_of(raw, e['loc'])}: {label}: {_explain(e)}" for e in exc.errors()]
            continue
        if card.id in seen:
            problems.append(f"{file}:{line}: {card.id}: duplicate id (first at line {seen[card.id]}); ids are unique")
            continue
        seen[card.id] = line
        data = card.model_dump()
        cards.append({**data, "line": line, "hash": content_hash(data)})
    if not header_ok:
        return None, cards, problems
    title = {lang: root["title"][lang] for lang in LANGS}
    return {"deck": deck_id, "title": title}, cards, problems


# ---------------------------------------------------------------- loading with cache


def deck_files(dirs: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for folder in dirs:
        if not folder.is_dir():
            raise DeckError(f"{folder}: deck folder does not exist; check --decks / LLMPREP_DECKS")
        files += sorted(p for p in folder.glob("*.yaml") if p.stem.upper() != "SEED_MAP")
    return files


def _to_cards(header: dict[str, Any], raw_cards: list[dict[str, Any]], file: str) -> Deck:
    cards = tuple(
        Card(
            id=c["id"],
            deck=header["deck"],
            kind=c["kind"],
            tags=tuple(c["tags"]),
            q=c["q"],
            a=c["a"],
            pitfall=c["pitfall"],
            sources=tuple(c["sources"]),
            grader=c["grader"],
            file=file,
            line=c["line"],
            content_hash=c["hash"],
            priority=c.get("priority", "normal"),
            points=tuple(c.get("points") or ()),
            renamed_from=tuple(c.get("renamed_from") or ()),
        )
        for c in raw_cards
    )
    return Deck(id=header["deck"], title=header["title"], file=file, cards=cards)


@dataclass(frozen=True)
class Problem:
    file: str  # the deck file the problem belongs to (whose fix it is)
    text: str  # `file:line: card-id: what is wrong and how to fix it`


@dataclass(frozen=True)
class Loaded:
    decks: list[Deck]
    skipped: list[str]  # one line per personal deck file left out, naming it and its first problem


def load(dirs: Iterable[Path], cache_path: Path | None = None, known_graders: Iterable[str] = ()) -> list[Deck]:
    """Load every deck in `dirs` (later folders may not reuse ids of earlier ones); any problem is an error."""
    return load_decks(dirs, (), cache_path, known_graders).decks


def load_decks(
    strict: Iterable[Path],
    personal: Iterable[Path],
    cache_path: Path | None = None,
    known_graders: Iterable[str] = (),
) -> Loaded:
    """Load the decks of `strict` folders (built-in: any problem is an error), then the `personal` ones.

    A personal deck file with a problem (its own, or a clash with another deck) is left out and named in
    `skipped`, so one broken file does not stop the user from studying the others.
    """
    strict_files, personal_files = deck_files(strict), deck_files(personal)
    cache = _read_cache(cache_path)
    entries: dict[str, Any] = {}
    found: list[Deck] = []
    problems: dict[str, list[str]] = {}
    for path in [*strict_files, *personal_files]:
        file = str(path.resolve())
        stat = path.stat()
        key = [stat.st_mtime_ns, stat.st_size]
        entry = cache.get(file)
        if entry is None or entry["key"] != key:
            header, raw_cards, file_problems = parse_file(path)
            if file_problems:  # (a file whose header is unusable always has one)
                problems[str(path)] = file_problems
                continue
            entry = {"key": key, "header": header, "cards": raw_cards}
        entries[file] = entry
        found.append(_to_cards(entry["header"], entry["cards"], str(path)))
    for problem in cross_check(found, set(known_graders)):
        problems.setdefault(problem.file, []).append(problem.text)
    strict_names = {str(p) for p in strict_files}
    fatal = [text for file, texts in problems.items() if file in strict_names for text in texts]
    if fatal:
        raise DeckError(f"{len(fatal)} problem(s) in the decks; run `llmprep decks validate`", details=fatal)
    if cache_path is not None and entries != cache:
        _write_cache(cache_path, entries)
    skipped = [
        f"skipped your deck {file} ({len(texts)} problem(s)): {texts[0]}; `llmprep decks validate` lists them all"
        for file, texts in problems.items()
    ]
    return Loaded([deck for deck in found if deck.file not in problems], skipped)


def validate(files: Iterable[Path], known_graders: Iterable[str]) -> tuple[list[Deck], list[str]]:
    """Check deck files: (the decks read, with their valid cards; every problem of every file, in one pass)."""
    found: list[Deck] = []
    problems: list[str] = []
    for path in files:
        header, raw_cards, file_problems = parse_file(path)
        problems += file_problems
        placeholder = {"deck": path.stem, "title": {}}  # a broken header: its cards are still checked
        found.append(_to_cards(header or placeholder, raw_cards, str(path)))
    problems += [problem.text for problem in cross_check(found, set(known_graders))]
    return found, problems


def cross_check(decks: list[Deck], known_graders: set[str]) -> list[Problem]:
    """Problems between files: a deck or card id used twice, a grader that does not exist."""
    problems: list[Problem] = []
    first: dict[str, Card] = {}
    deck_ids: dict[str, str] = {}
    for deck in decks:
        if deck.id in deck_ids:
            text = f"{deck.file}:1: deck `{deck.id}` is also defined in {deck_ids[deck.id]}; rename one"
            problems.append(Problem(deck.file, text))
        deck_ids.setdefault(deck.id, deck.file)
        for card in deck.cards:
            if card.id in first:
                other = first[card.id]
                text = (
                    f"{card.file}:{card.line}: {card.id}: duplicate id, also at {other.file}:{other.line}; "
                    "ids are unique across all decks"
                )
                problems.append(Problem(card.file, text))
            else:
                first[card.id] = card
            if card.kind == "code" and card.grader not in known_graders:
                text = (
                    f"{card.file}:{card.line}: {card.id}: grader `{card.grader}` does not exist; "
                    f"known graders: {', '.join(sorted(known_graders)) or 'none'}"
                )
                problems.append(Problem(card.file, text))
    return problems


def _read_cache(path: Path | None) -> dict[str, Any]:
    if path is None or not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # a damaged cache is rebuilt, never trusted
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
        return {}
    files = data.get("files")
    return files if isinstance(files, dict) else {}


def _write_cache(path: Path, entries: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"version": CACHE_VERSION, "files": entries}, ensure_ascii=False), "utf-8")
        os.replace(tmp, path)
    except OSError:  # the cache only saves time (a read-only data dir is reported by the store); a full disk
        with contextlib.suppress(OSError):  # must not keep the half-written copy either
            tmp.unlink(missing_ok=True)


def card_dict(card: Card) -> dict[str, Any]:
    return asdict(card)


def card_from_dict(data: dict[str, Any]) -> Card:
    """The inverse of card_dict (a card kept as JSON in the database)."""
    return Card(
        **{
            **data,
            "tags": tuple(data["tags"]),
            "sources": tuple(data["sources"]),
            "points": tuple(data["points"]),
            "renamed_from": tuple(data["renamed_from"]),
        }
    )


def files_key(strict: Iterable[Path], personal: Iterable[Path], known_graders: Iterable[str]) -> str:
    """What the decks' cards depend on, from `stat` alone: each deck file's path, size and mtime (and the folders'
    listing), the graders, and this version's cache format. Equal keys: the cards are those of the last sync."""
    from llmprep import __version__

    parts = [f"{__version__} {CACHE_VERSION}", *sorted(known_graders)]
    for group in (strict, personal):
        parts.append("--")
        for path in deck_files(group):
            stat = path.stat()
            parts.append(f"{path.resolve()} {stat.st_mtime_ns} {stat.st_size}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()
