"""User settings in `config.toml` beside the database: read, validated, written back atomically."""

from __future__ import annotations

import locale
import os
import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from llmprep.errors import LlmprepError, UsageError

CONFIG_NAME = "config.toml"
NEW_ORDERS = ("interleaved", "priority", "deck")


@dataclass(frozen=True)
class Config:
    desired_retention: float = 0.9
    new_per_day: int = 20
    reviews_per_day: int = 200
    lang: str = "auto"  # zh | en | auto (from the locale)
    editor: str = ""  # empty: $VISUAL, $EDITOR, nano, vi
    day_starts_at: int = 4  # local hour at which a new study day begins, as in Anki
    fuzz: bool = True  # spread review dates a little so cards learnt together do not stay together
    fsrs_parameters: tuple[float, ...] = ()  # empty: the fsrs defaults; `llmprep optimize` fills it
    # code highlighting: the ANSI themes use the terminal's own palette, readable on light and dark backgrounds;
    # any Pygments style name works too (e.g. `monokai` for dark, `friendly` for light terminals)
    code_theme: str = "ansi_dark"
    # order of new cards: interleaved (one deck after another, each deck's `priority: high` cards first),
    # priority (every high-priority card first, then interleaved), deck (file order, deck by deck)
    new_order: str = "interleaved"
    type_answers: bool = False  # study as with `--type`: type each answer, checked against the card's points

    def language(self) -> str:
        if self.lang in ("zh", "en"):
            return self.lang
        name = os.environ.get("LC_ALL") or os.environ.get("LANG") or (locale.getlocale()[0] or "")
        return "zh" if name.lower().startswith("zh") else "en"


_CHECKS: dict[str, tuple[type, Any, str]] = {
    "desired_retention": (float, lambda v: 0.7 <= v <= 0.99, "a number between 0.7 and 0.99"),
    "new_per_day": (int, lambda v: 0 <= v <= 10_000, "an integer from 0 to 10000"),
    "reviews_per_day": (int, lambda v: 0 <= v <= 100_000, "an integer from 0 to 100000"),
    "lang": (str, lambda v: v in ("zh", "en", "auto"), "zh, en or auto"),
    "editor": (str, lambda v: True, "a command"),
    "day_starts_at": (int, lambda v: 0 <= v <= 23, "an hour from 0 to 23"),
    "fuzz": (bool, lambda v: True, "true or false"),
    "fsrs_parameters": (
        tuple,
        lambda v: _fsrs_problem(v) is None,
        "empty (the fsrs defaults) or the 21 numbers `llmprep optimize` writes, each within fsrs's bounds",
    ),
    "code_theme": (str, lambda v: _is_code_theme(v), "ansi_dark, ansi_light or a Pygments style name"),
    "new_order": (str, lambda v: v in NEW_ORDERS, "interleaved, priority or deck"),
    "type_answers": (bool, lambda v: True, "true or false"),
}


def _is_code_theme(name: str) -> bool:
    if name in ("ansi_dark", "ansi_light"):
        return True
    from pygments.styles import get_all_styles

    return name in set(get_all_styles())


def _fsrs_problem(values: tuple[Any, ...]) -> str | None:
    """What the fsrs package would refuse in these parameters (count, type, bounds), or None."""
    if not values:
        return None
    if not all(isinstance(x, int | float) and not isinstance(x, bool) for x in values):
        return "not all numbers"
    from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

    if len(values) != len(LOWER_BOUNDS_PARAMETERS):
        return f"{len(values)} numbers, fsrs needs {len(LOWER_BOUNDS_PARAMETERS)}"
    for index, (value, low, high) in enumerate(
        zip(values, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True)
    ):
        if not low <= value <= high:
            return f"parameter {index} = {value} is outside [{low}, {high}]"
    return None


KEYS = tuple(_CHECKS)


def _coerce(key: str, value: Any, where: str, error: type[LlmprepError] = LlmprepError) -> Any:
    kind, ok, expected = _CHECKS[key]
    original = value
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if kind is tuple and isinstance(value, list):
        value = tuple(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)) or not ok(value):
        detail = _fsrs_problem(value) if key == "fsrs_parameters" and isinstance(value, tuple) else None
        shown = list(original) if isinstance(original, tuple) else original
        raise error(f"{where}: `{key}` must be {expected}, got {shown!r}" + (f" ({detail})" if detail else ""))
    return value


def load_raw(path: Path) -> dict[str, Any]:
    """The settings as written in the file, unchecked (what `config KEY --reset` repairs)."""
    if not path.exists():
        return {}
    if path.is_dir():
        raise LlmprepError(f"{path} is a folder; llmprep's settings are a file there: move the folder away")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LlmprepError(f"{path}: not valid TOML ({exc}); fix or delete the file") from None
    except OSError as exc:
        raise LlmprepError(f"cannot read {path}: {exc.strerror or exc}; check its permissions") from None


def load(path: Path) -> Config:
    raw = load_raw(path)
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        raise LlmprepError(
            f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(KEYS)}; "
            f"remove it with `llmprep config {unknown[0]} --reset`"
        )
    values = {}
    for key, value in raw.items():
        try:
            values[key] = _coerce(key, value, str(path))
        except LlmprepError as exc:
            raise LlmprepError(f"{exc.message}; reset it with `llmprep config {key} --reset`") from None
    return Config(**values)


def write_setting(path: Path, key: str, value: Any | None) -> None:
    """Set one setting (None: back to its default) and keep the others as they are in the file."""
    raw = load_raw(path)
    if value is None:
        raw.pop(key, None)
    else:
        raw[key] = list(value) if isinstance(value, tuple) else value
    _write(path, raw)


def parse_value(key: str, text: str) -> Any:
    """Turn a command-line string into the setting's type."""
    if key not in _CHECKS:
        raise UsageError(f"unknown setting `{key}`; known: {', '.join(KEYS)}")
    kind = _CHECKS[key][0]
    value: Any = text
    try:
        if kind is float:
            value = float(text)
        elif kind is int:
            value = int(text)
        elif kind is bool:
            value = {"true": True, "false": False}[text.lower()]
        elif kind is tuple:
            value = tuple(float(x) for x in text.split(",") if x.strip())
    except (ValueError, KeyError):
        raise UsageError(f"`{key}` must be {_CHECKS[key][2]}, got {text!r}") from None
    return _coerce(key, value, "config", UsageError)


def save(path: Path, config: Config) -> None:
    data = {f.name: getattr(config, f.name) for f in fields(config)}
    data["fsrs_parameters"] = list(config.fsrs_parameters)
    _write(path, data)


def _write(path: Path, data: dict[str, Any]) -> None:
    import tomli_w

    tmp = path.with_suffix(".toml.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
        os.replace(tmp, path)  # atomic: a crash leaves the old file or the new one, never half of each
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise LlmprepError(f"cannot write {path}: {exc.strerror or exc}; free some space or check its folder") from None


def as_dict(config: Config) -> dict[str, Any]:
    data = asdict(config)
    data["fsrs_parameters"] = list(config.fsrs_parameters)
    return data
