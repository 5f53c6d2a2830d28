"""Everything a command needs about the user's data: paths, config, decks, and the database engine."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from llmprep import clock, config, decks, paths, store
from llmprep.errors import LlmprepError, StorageError, UsageError
from llmprep.grading import catalogue

DECK_FILES_KEY = "deck_files"  # meta: {key: decks.files_key at the last sync, skipped: its warnings}


@dataclass
class Workspace:
    db_path: Path
    extra_deck_dirs: list[Path] = field(default_factory=list)
    lang_option: str | None = None  # the global `--lang`
    db_url: str | None = None  # a PostgreSQL database (--db / LLMPREP_DB gave a URL): db_path is then unused
    _warned: bool = field(default=False, init=False)  # the skipped-deck warning is said once

    @classmethod
    def open(cls, db: str | Path | None, deck_dirs: list[Path] | None, lang: str | None = None) -> Workspace:
        url = paths.database_url(db)
        return cls(
            paths.database(None if url else db), paths.user_deck_dirs(deck_dirs), check_language(lang), db_url=url
        )

    @property
    def database(self) -> str | Path:
        """What the history is in: the SQLite file, or the server's URL."""
        return self.db_url if self.db_url is not None else self.db_path

    @cached_property
    def data_dir(self) -> Path:
        if self.db_url is not None:  # config and deck cache stay on this machine, as without --db
            return paths.home()
        paths.check_database(self.db_path)  # before anything is read or written beside it
        return paths.data_dir_for(self.db_path)

    @property
    def config_path(self) -> Path:
        return self.data_dir / config.CONFIG_NAME

    @cached_property
    def config(self) -> config.Config:
        return config.load(self.config_path)

    def language(self, override: str | None = None) -> str:
        """zh or en for the human text: a command's own `--lang`, else the global one, else config `lang` (then
        the locale)."""
        return check_language(override) or self.lang_option or self.config.language()

    def language_or_en(self) -> str:
        """language() where the config may be broken or never needed (a deck warning, `decks validate`): a broken
        config.toml is reported by the command that reads it, not by the text around a deck problem."""
        try:
            return self.language()
        except LlmprepError:
            return "en"

    @cached_property
    def _loaded(self) -> decks.Loaded:
        cache = self.data_dir / "deck-cache.json"
        return decks.load_decks([paths.builtin_decks()], self.extra_deck_dirs, cache, catalogue.names())

    @cached_property
    def decks(self) -> list[decks.Deck]:
        """Built-in decks (a problem is an error), then the user's; a broken user deck is skipped with a warning."""
        self._warn_skipped(self._loaded.skipped)
        return self._loaded.decks

    def _warn_skipped(self, skipped: list[str]) -> None:
        if not skipped or self._warned:
            return
        self._warned = True
        from rich.markup import escape

        from llmprep.console import err
        from llmprep.messages import t

        warning = t("common.warning", self.language_or_en())
        for line in skipped:
            err.print(f"[yellow]{warning}[/] {escape(line)}", soft_wrap=True)

    @cached_property
    def cards(self) -> dict[str, decks.Card]:
        return {card.id: card for deck in self.decks for card in deck.cards}

    def card(self, card_id: str) -> decks.Card:
        """One card: from the decks when they were read, else from its copy in the database (no deck file read)."""
        if "decks" not in self.__dict__ and not self.read_only:
            with Session(self.engine) as session:
                body = store.card_body(session, card_id)
            if body is not None:
                return decks.card_from_dict(json.loads(body))
        return self.cards[card_id]

    def names(self) -> tuple[set[str], set[str]]:
        """Deck ids and tags there are (for --deck and --tag), without reading the deck files when they are
        unchanged since the last sync."""
        if "decks" in self.__dict__ or self.read_only:
            return {d.id for d in self.decks}, {tag for card in self.cards.values() for tag in card.tags}
        with Session(self.engine) as session:
            return store.deck_and_tag_names(session)

    @cached_property
    def read_only(self) -> bool:
        """The database exists but cannot be written here: reading commands work, every write is refused."""
        return self.db_url is None and store.is_read_only(self.db_path)

    @cached_property
    def engine(self) -> Engine:
        """The database, migrated and with its cards table in step with the decks.

        A read-only database is opened so that nothing is written: its cards table stays as last synced (cards
        added to the YAML since then are not counted), and a command that writes gets one line saying why not.
        """
        if self.db_url is not None:  # the server keeps its own backups (pg_dump): no daily copy here
            engine = store.open_server(self.db_url)
            return self._synced(engine)
        if self.read_only:
            return store.open_engine(self.db_path, read_only=True)
        from llmprep import backup

        existed = self.db_path.is_file()
        engine = store.open_engine(self.db_path)
        if existed:  # at most once a day, before this command writes anything
            try:
                backup.daily(self.db_path, clock.now())
            except StorageError as exc:  # a full disk: the day's copy is skipped, said once, the work goes on
                from rich.markup import escape

                from llmprep.console import err
                from llmprep.messages import t

                err.print(
                    f"[yellow]{t('common.warning', self.language_or_en())}[/] {escape(exc.message)}", soft_wrap=True
                )
        return self._synced(engine)

    def _synced(self, engine: Engine) -> Engine:
        """`engine` with its cards table in step with the deck files."""
        # the deck files unchanged since the last sync (stat alone tells): nothing to parse or compare
        key = decks.files_key([paths.builtin_decks()], self.extra_deck_dirs, catalogue.names())
        with Session(engine) as session:
            synced = json.loads(store.get_meta(session, DECK_FILES_KEY) or "{}")
        if synced.get("key") == key:
            self._warn_skipped(synced.get("skipped", []))
            return engine
        all_cards = [card for deck in self.decks for card in deck.cards]
        with Session(engine) as session, session.begin():
            store.sync_cards(session, all_cards, clock.now())
            store.set_meta(session, DECK_FILES_KEY, json.dumps({"key": key, "skipped": self._loaded.skipped}))
        return engine

    def require_writable(self) -> None:
        """For a command that saves: refuse up front, before any work, when the database is read-only."""
        if self.read_only:
            raise StorageError(store.read_only_message(self.db_path))


def check_language(lang: str | None) -> str | None:
    """A `--lang` value as given (None when not given); anything but zh or en is a usage error."""
    from llmprep.messages import LANGUAGES

    if lang is not None and lang not in LANGUAGES:
        raise UsageError(f"--lang must be zh or en, got {lang!r}")
    return lang
