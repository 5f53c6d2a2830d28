"""Everything a command needs about the user's data: paths, config, decks, and the database engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from llmprep import clock, config, decks, paths, store
from llmprep.grading import catalogue


@dataclass
class Workspace:
    db_path: Path
    extra_deck_dirs: list[Path] = field(default_factory=list)

    @classmethod
    def open(cls, db: Path | None, deck_dirs: list[Path] | None) -> Workspace:
        return cls(paths.database(db), paths.user_deck_dirs(deck_dirs))

    @property
    def data_dir(self) -> Path:
        return paths.data_dir_for(self.db_path)

    @property
    def config_path(self) -> Path:
        return self.data_dir / config.CONFIG_NAME

    @cached_property
    def config(self) -> config.Config:
        return config.load(self.config_path)

    @cached_property
    def decks(self) -> list[decks.Deck]:
        dirs = [paths.builtin_decks(), *self.extra_deck_dirs]
        return decks.load(dirs, self.data_dir / "deck-cache.json", catalogue.names())

    @cached_property
    def cards(self) -> dict[str, decks.Card]:
        return {card.id: card for deck in self.decks for card in deck.cards}

    @cached_property
    def engine(self) -> Engine:
        """The database, migrated and with its cards table in step with the decks."""
        engine = store.open_engine(self.db_path)
        all_cards = [card for deck in self.decks for card in deck.cards]
        with Session(engine) as session, session.begin():
            store.sync_cards(session, all_cards, clock.now())
        return engine
