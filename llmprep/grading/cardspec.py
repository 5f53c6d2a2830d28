"""A coding card's files: card.yaml (title, difficulty, banned APIs, hints, limits), template.py, checks.py."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from llmprep.errors import UsageError
from llmprep.grading import catalogue
from llmprep.grading.limits import Limits


@dataclass(frozen=True)
class CardSpec:
    id: str
    title: str
    difficulty: str
    banned: tuple[str, ...]
    banned_ops: tuple[str, ...] = ()  # aten ops the worker refuses at run time (`aten._softmax`)
    hints: dict[str, tuple[str, ...]] = field(default_factory=dict)  # per check: general -> specific
    limits: Limits = field(default_factory=Limits)
    minutes: int = 20  # the budget of a timed attempt
    follow_up: str = ""  # what interviewers ask next, shown after a pass

    @property
    def folder(self) -> Path:
        return catalogue.card_dir(self.id)

    @property
    def checks_path(self) -> Path:
        return self.folder / "checks.py"

    @property
    def template_path(self) -> Path:
        return self.folder / "template.py"


def load(card_id: str) -> CardSpec:
    import yaml

    if card_id not in catalogue.names():
        raise UsageError(f"no coding card `{card_id}`; `llmprep code` lists them")
    data = yaml.safe_load((catalogue.card_dir(card_id) / "card.yaml").read_text(encoding="utf-8")) or {}
    limits = Limits()
    if "limits" in data:
        limits = replace(limits, **data["limits"])
    return CardSpec(
        id=card_id,
        title=data["title"],
        difficulty=data.get("difficulty", "medium"),
        banned=tuple(data.get("banned", [])),
        banned_ops=tuple(data.get("banned_ops", [])),
        hints={name: (h,) if isinstance(h, str) else tuple(h) for name, h in (data.get("hints") or {}).items()},
        limits=limits,
        minutes=int(data.get("minutes", 20)),
        follow_up=str(data.get("follow_up", "")).strip(),
    )
