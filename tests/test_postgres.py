"""PostgreSQL as the shared backend: two machines (two `llmprep study` processes, each with its own LLMPREP_HOME)
on one server database at once, and `llmprep db copy` moving a history SQLite -> PostgreSQL -> SQLite."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from llmprep import store
from tests.conftest import numbered_deck
from tests.processes import LOG_SQL, STATES_SQL, assert_log_replays, start_llmprep


def _chains_unbroken(url: str) -> None:
    engine = create_engine(url)
    with engine.connect() as conn:
        assert_log_replays(conn.exec_driver_sql(LOG_SQL).all(), conn.exec_driver_sql(STATES_SQL).all())
    engine.dispose()


@pytest.mark.slow
def test_two_machines_study_one_server_database_at_once(tmp_path: Path, pg_server) -> None:
    """Two studies (different homes: two machines) race on a new database, then a day later on the one they
    made; every rating shown as recorded is in the log exactly once, and no rating was a lost update."""
    decks = numbered_deck(tmp_path / "decks", "race", 12)
    keys = "\n3\n" * 4 + "q\n"
    for repetition in range(2):
        url = pg_server.create_database()
        homes = []
        for machine in ("a", "b"):
            home = tmp_path / f"home-{repetition}-{machine}"
            home.mkdir()
            (home / "config.toml").write_text("fuzz = false\nnew_per_day = 50\n")
            homes.append(home)
        expected = 0
        for day in ("2026-01-05", "2026-01-06"):
            now = f"{day}T09:00:00+00:00"
            processes = [
                start_llmprep(home, decks, ["study", "--deck", "race"], keys, now, {"LLMPREP_DB": url})
                for home in homes
            ]
            finished = [(process, *process.communicate(timeout=120)) for process in processes]  # pipes closed
            for process, out, err in finished:
                assert process.returncode == 0, err
                assert "error:" not in err and "Traceback" not in err, err
                expected += out.count("recorded ")
            engine = create_engine(url)
            with engine.connect() as conn:
                logged = conn.exec_driver_sql("SELECT count(*) FROM review_log").scalar()
                per_slot = conn.exec_driver_sql("SELECT coalesce(sum(reviews), 0) FROM review_slots").scalar()
            engine.dispose()
            assert logged == expected == per_slot and expected >= 8  # every rating shown as recorded, once
            _chains_unbroken(url)


def _rows(where: str, sql: str) -> list[tuple]:
    engine = store.open_database(where)
    with engine.connect() as conn:
        rows = [tuple(row) for row in conn.exec_driver_sql(sql)]
    store.record_clean()
    return rows


def test_db_copy_sqlite_to_postgresql_and_back(cli, isolated: Path, demo_decks: Path, pg_url: str) -> None:
    first, last = isolated / "first.sqlite3", isolated / "last.sqlite3"  # beside config.toml: the same settings
    study = ("--decks", str(demo_decks), "study", "--deck", "demo")
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    for day, keys in enumerate(("\n3\n\n1\n\n4\nq\n", "\n3\n" * 3 + "q\n", "\n1\n\n3\nq\n")):
        now = (start + timedelta(days=day * 2)).isoformat()
        assert cli("--db", str(first), *study, input=keys, now=now).code == 0
    typed = cli("--db", str(first), *study, "--type", input="my answer\n\n3\nq\n", now="2026-01-12T09:00:00+00:00")
    assert typed.code == 0, typed.err
    when = "2026-01-12T20:00:00+00:00"
    copied = cli("--db", str(first), "--decks", str(demo_decks), "db", "copy", "--to", pg_url, now=when)
    assert copied.code == 0, copied.err
    assert "reviews" in copied.out and pg_url.split("?")[0].split("/")[-1] in copied.out
    back = cli("--db", str(last), "--decks", str(demo_decks), "db", "copy", "--from", pg_url, now=when)
    assert back.code == 0, back.err
    reports = [
        cli("--db", where, "--decks", str(demo_decks), "stats", "--json", now=when).out
        for where in (str(first), pg_url, str(last))
    ]
    assert json.loads(reports[0])["reviews"] >= 8
    assert reports[0] == reports[1] == reports[2]
    logs = [_rows(where, "SELECT * FROM review_log ORDER BY id") for where in (str(first), pg_url, str(last))]
    assert logs[0] == logs[1] == logs[2] and logs[0]
    typed_rows = [_rows(where, "SELECT * FROM answers") for where in (str(first), pg_url, str(last))]
    assert typed_rows[0] == typed_rows[1] == typed_rows[2] and typed_rows[0][0][1] == "my answer"
    # the ids go on after the copied ones on the server: a new rating there gets the next id
    assert cli("--db", pg_url, *study, "--cram", input="\n1\nq\n", now=when).code == 0
    assert _rows(pg_url, "SELECT max(id) FROM review_log") == [(logs[0][-1][0] + 1,)]
    # a target with a history is refused, and left as it was
    again = cli("--db", str(first), "--decks", str(demo_decks), "db", "copy", "--to", pg_url, now=when)
    assert again.code == 2 and "already has a history" in again.err and again.err.count("\n") == 1
    assert len(_rows(pg_url, "SELECT id FROM review_log")) == len(logs[0]) + 1
