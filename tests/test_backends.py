"""The core flows on both backends, SQLite and a real PostgreSQL server (tests/pg.py): schema and its version,
ratings through scheduler.Reviewer, the queue, the running sums, stats, typed answers, interviews, the CLI and
interchange. `stats --json` is the same on both for the same history."""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from llmprep import answers, config, interchange, interview, scheduler, stats, store
from llmprep.errors import StorageError

START = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)
CARDS = [f"{deck}-{i}" for deck in ("alpha", "beta") for i in range(6)]
CFG = config.Config(fuzz=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a test's database is: a SQLite file's path, or a new PostgreSQL database's URL."""
    if request.param == "sqlite":
        return str(tmp_path / "db.sqlite3")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def engine(backend: str) -> Iterator[Engine]:
    engine = store.open_database(backend)
    yield engine
    store.record_clean()


def add_cards(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        for position, card_id in enumerate(CARDS):
            deck = card_id.split("-")[0]
            session.add(
                store.CardRow(id=card_id, deck=deck, kind="qa", position=position, content_hash="h", added_at=START)
            )
            session.add(store.CardTag(card_id=card_id, tag=f"{deck}-tag" if position % 2 else "even"))


def random_work(engine: Engine, seed: int, steps: int = 120) -> datetime:
    """Ratings (some with a typed answer), cram, undos, suspensions and burials at random, as tests/test_slots.py
    does, then coding attempts and an interview; returns the time it ends at. Deterministic for a seed."""
    rng = random.Random(seed)
    reviewer = scheduler.Reviewer(engine, CFG)
    now, done = START, []
    for _ in range(steps):
        now += timedelta(minutes=rng.choice((0.2, 1, 7, 14, 15, 60 * 5, 60 * 30)))
        card_id = rng.choice(CARDS)
        op = rng.random()
        if op < 0.55:
            typed = scheduler.TypedAnswer("an answer", rng.randint(0, 4), 4, 12.5) if rng.random() < 0.3 else None
            outcome = reviewer.outcomes(card_id, now)[rng.randint(1, 4)]
            done.append(reviewer.rate(card_id, outcome, now, 4000, answer=typed))
        elif op < 0.7:
            done.append(reviewer.log_cram(card_id, rng.randint(1, 4), now, 2500))
        elif op < 0.85 and done:
            reviewer.undo(done.pop(rng.randrange(len(done))) if rng.random() < 0.3 else done.pop())
        elif op < 0.9:
            reviewer.undo_action(reviewer.suspend(card_id))
        elif op < 0.95:
            reviewer.bury(card_id, now)
        else:
            reviewer.suspend(card_id)
    with Session(engine) as session, session.begin():
        for i, passed in enumerate((False, True, True)):
            session.add(
                store.Attempt(
                    card_id="alpha-1",
                    attempted_at=START + timedelta(hours=7 * i, seconds=0.25),
                    device="cpu",
                    passed=passed,
                    duration_s=1.5,
                    seed=i,
                    checks=[{"name": "shape", "status": "pass" if passed else "fail"}],
                    source="def f(): ...",
                    hints_used=i,
                    session_s=30.0 + i,
                )
            )
    started = START + timedelta(days=2, hours=3)
    interview.save(engine, {"minutes": 20, "score": 62.5, "answered": 3}, started, started + timedelta(minutes=19))
    return now


def test_schema_is_created_at_the_current_version_and_a_newer_one_is_refused(backend: str) -> None:
    engine = store.open_database(backend)
    with engine.connect() as conn:
        if backend.startswith("postgresql"):
            version = conn.exec_driver_sql("SELECT version FROM schema_version").scalars().all()
            assert version == [store.SCHEMA_VERSION]
        else:
            assert conn.exec_driver_sql("PRAGMA user_version").scalar() == store.SCHEMA_VERSION
    store.record_clean()
    store.record_clean()
    store.open_database(backend)  # opening again finds the schema as it left it
    store.record_clean()
    with engine.begin() as conn:
        if backend.startswith("postgresql"):
            conn.exec_driver_sql(f"UPDATE schema_version SET version = {store.SCHEMA_VERSION + 1}")
        else:
            conn.exec_driver_sql(f"PRAGMA user_version = {store.SCHEMA_VERSION + 1}")
    engine.dispose()
    with pytest.raises(StorageError, match=f"schema v{store.SCHEMA_VERSION + 1} is newer than this llmprep"):
        store.open_database(backend)


def test_ratings_undo_cram_suspend_bury_and_the_queue(engine: Engine) -> None:
    add_cards(engine)
    reviewer = scheduler.Reviewer(engine, CFG)
    limits = scheduler.Limits(new_per_day=3, reviews_per_day=100)
    with Session(engine) as session:
        assert scheduler.next_card(session, START, scheduler.Filters(), limits, 4) == "alpha-0"
        assert scheduler.remaining(session, START, scheduler.Filters(), limits, 4, set()) == (3, 0, 0)
    first = reviewer.rate("alpha-0", reviewer.outcomes("alpha-0", START)[3], START, 1000)
    later = START + timedelta(minutes=15)
    with Session(engine) as session:
        before = scheduler.state_key(session.get(store.CardState, "alpha-0"))
    again = reviewer.rate("alpha-0", reviewer.outcomes("alpha-0", later)[1], later, 1000)
    reviewer.undo(again)
    with Session(engine) as session:
        assert scheduler.state_key(session.get(store.CardState, "alpha-0")) == before
    stale = reviewer.outcomes("alpha-0", later)[3]
    reviewer.rate("alpha-0", reviewer.outcomes("alpha-0", later)[4], later, 1000)
    with pytest.raises(scheduler.StaleCard):  # computed from a state that has since changed: nothing written
        reviewer.rate("alpha-0", stale, later, 1000)
    reviewer.log_cram("beta-0", 2, later, 500)
    reviewer.suspend("alpha-1")
    reviewer.bury("alpha-2", later)
    with Session(engine) as session:
        assert scheduler.buried(session, later) == {"alpha-2"}
        assert scheduler.next_card(session, later, scheduler.Filters(), limits, 4, exclude={"alpha-2"}) == "beta-0"
        assert scheduler.remaining(session, later, scheduler.Filters(), limits, 4, {"alpha-2"}) == (2, 0, 0)
        counts = scheduler.due_counts(session, later, scheduler.Filters(), 4)
        log = session.execute(select(store.ReviewLog.card_id, store.ReviewLog.kind).order_by(store.ReviewLog.id))
        assert log.all() == [("alpha-0", "new"), ("alpha-0", "learning"), ("beta-0", "cram")]
        assert session.get(store.CardState, "beta-0") is None  # cram leaves the schedule alone
    assert counts["alpha"] == {"cards": 6, "new": 4, "learning": 0, "due": 0, "suspended": 1}
    assert counts["beta"] == {"cards": 6, "new": 6, "learning": 0, "due": 0, "suspended": 0}
    assert first.before is None


def test_running_sums_equal_a_rebuild_after_random_work(engine: Engine) -> None:
    add_cards(engine)
    now = random_work(engine, seed=5)

    def slots() -> list[tuple]:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.exec_driver_sql("SELECT * FROM review_slots ORDER BY slot, kind")]

    kept = slots()
    report = stats.collect(engine, CFG, scheduler.Filters(), now)
    with engine.begin() as conn:
        store.rebuild_review_slots(conn)
    assert slots() == kept and kept
    assert stats.collect(engine, CFG, scheduler.Filters(), now) == report
    with Session(engine) as session:
        logged = select(func.count()).select_from(store.ReviewLog).where(store.ReviewLog.kind != "cram")
        assert report["reviews"] == session.scalar(logged)


def test_typed_answers_and_interview_summaries(engine: Engine) -> None:
    add_cards(engine)
    reviewer = scheduler.Reviewer(engine, CFG)
    for i, (card_id, hit) in enumerate((("alpha-0", 4), ("alpha-1", 2), ("beta-0", 1))):
        when = START + timedelta(days=i)
        typed = scheduler.TypedAnswer(f"answer {i}", hit, 4, 20.0)
        reviewer.rate(card_id, reviewer.outcomes(card_id, when)[3], when, 1000, answer=typed)
    now = START + timedelta(days=10)
    typed = answers.summary(engine, scheduler.Filters(), now)
    assert typed["answers"] == 3 and typed["mean_coverage"] == pytest.approx(0.5833, abs=1e-4)
    assert answers.summary(engine, scheduler.Filters(decks=("beta",)), now)["mean_coverage"] == 0.25
    for day, score in ((1, 40.0), (3, 70.0)):
        started = START + timedelta(days=day)
        interview.save(engine, {"minutes": 10, "score": score}, started, started + timedelta(minutes=9))
    assert interview.summary(engine, 4) == {
        "count": 2,
        "mean_score": 55.0,
        "trend": [{"date": "2026-01-06", "score": 40.0}, {"date": "2026-01-08", "score": 70.0}],
    }
    assert [item["id"] for item in interview.history(engine)] == [2, 1]


def test_stats_are_identical_on_both_backends(tmp_path: Path, pg_url: str) -> None:
    reports = []
    for where in (str(tmp_path / "db.sqlite3"), pg_url):
        engine = store.open_database(where)
        add_cards(engine)
        now = random_work(engine, seed=11, steps=200)
        filters = (
            scheduler.Filters(),
            scheduler.Filters(decks=("beta",)),
            scheduler.Filters(tags=("even",)),
        )
        reports.append([json.dumps(stats.collect(engine, CFG, f, now), sort_keys=True) for f in filters])
        store.record_clean()
    assert reports[0] == reports[1]
    report = json.loads(reports[0][0])
    assert report["reviews"] > 50 and report["typed"]["answers"] > 0 and report["interviews"]["count"] == 1
    assert sum(day["due"] for day in report["forecast"]) > 0 and report["weakest"]
    assert report["coding"]["cards"][0]["days_to_first_pass"] == pytest.approx(7 / 24, abs=1e-4)


def test_a_study_session_through_the_cli(cli, backend: str, demo_decks: Path, monkeypatch) -> None:
    monkeypatch.setenv("LLMPREP_DB", backend)
    result = cli("--decks", str(demo_decks), "study", "--deck", "demo", "--lang", "en", input="\n3\n\n1\nq\n")
    assert result.code == 0, result.err
    assert "Question one" in result.out and "Question two" in result.out
    engine = store.open_database(backend)
    with Session(engine) as session:
        logged = session.execute(select(store.ReviewLog.card_id, store.ReviewLog.rating).order_by(store.ReviewLog.id))
        assert logged.all() == [("demo-one", 3), ("demo-two", 1)]
    store.record_clean()
    report = json.loads(cli("--decks", str(demo_decks), "stats", "--json").out)
    assert report["reviews"] == 2 and report["today"]["new"] == 2


def test_interchange_export_then_import(engine: Engine, backend: str, tmp_path: Path, request) -> None:
    add_cards(engine)
    now = random_work(engine, seed=2, steps=60)
    with Session(engine) as session:
        document = interchange.export(session, "fuzz = false\n", now)
    if backend.startswith("postgresql"):
        other = request.getfixturevalue("pg_server").create_database()
    else:
        other = str(tmp_path / "other.sqlite3")
    target = store.open_database(other)
    with Session(target) as session, session.begin():
        counts = interchange.import_history(session, document, "history.json", now, merge=False)
    assert counts["review_log"] == len(document["review_log"]) > 0
    with Session(target) as session:
        again = interchange.export(session, "fuzz = false\n", now)
    assert again == document


def test_missing_driver_is_one_line(cli, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as on a machine without the postgres extra
    result = cli("--db", "postgresql://me:s3cret@db.example/llmprep", "stats")
    assert result.code == 1 and result.out == ""
    assert result.err.count("\n") == 1 and "s3cret" not in result.err
    assert "postgresql+psycopg://me:***@db.example/llmprep" in result.err
    assert "pip install 'llmprep[postgres]'" in result.err


def test_unreachable_server_is_one_line(cli, tmp_path: Path) -> None:
    url = f"postgresql://me:s3cret@/llmprep?host={tmp_path}&port=5999"  # a socket folder without a server
    result = cli("--db", url, "stats")
    assert result.code == 1 and result.out == ""
    assert result.err.count("\n") == 1 and "s3cret" not in result.err and "Traceback" not in result.err
    assert result.err.startswith("error: cannot connect to postgresql+psycopg://me:***@/llmprep")
    assert "check that the server is running" in result.err


def test_sqlite_only_commands_say_what_to_use_instead(cli, pg_url: str) -> None:
    for args in (("backup",), ("restore", "x.sqlite3", "--yes")):
        result = cli("--db", pg_url, *args)
        assert result.code == 2 and "pg_dump" in result.err and result.err.count("\n") == 1


def test_other_database_urls_are_refused(cli) -> None:
    result = cli("--db", "mysql://me@host/llmprep", "stats")
    assert result.code == 2 and "postgresql+psycopg://USER@HOST/DBNAME" in result.err


def test_a_database_holding_other_tables_is_left_untouched(pg_url: str) -> None:
    engine = store.open_database(pg_url)
    store.record_clean()
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE schema_version")
        conn.exec_driver_sql("CREATE TABLE invoices (id INTEGER)")
    engine.dispose()
    with pytest.raises(StorageError, match="is not an llmprep database"):
        store.open_database(pg_url)
