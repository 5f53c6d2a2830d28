"""Backups, restore, export/import and Anki interchange; foreign, damaged and drifted databases refused
before anything is written."""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from llmprep import backup


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _reviews(db: Path) -> int:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT count(*) FROM review_log").fetchone()[0]


def _study(cli, db: Path, decks: Path, keys: str, now: str = "2026-01-05T09:00:00+00:00"):
    return cli("--db", str(db), "--decks", str(decks), "study", "--deck", "demo", input=keys, now=now)


def _stats(cli, db: Path, decks: Path) -> dict:
    result = cli("--db", str(db), "--decks", str(decks), "stats", "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    report.pop("generated_at")
    return report


def test_backup_now_list_and_a_daily_one_on_first_use(cli, tmp_path: Path, demo_decks: Path) -> None:
    db = tmp_path / "data" / "llmprep.sqlite3"
    assert _study(cli, db, demo_decks, "\n3\nq\n").code == 0
    assert backup.listing(db) == []  # a new database has nothing worth a copy yet
    made = cli("--db", str(db), "backup")
    assert made.code == 0, made.err
    (manual,) = backup.listing(db)
    assert manual.label == "manual" and _reviews(manual.path) == 1
    with contextlib.closing(sqlite3.connect(manual.path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    assert _study(cli, db, demo_decks, "\n3\nq\n", now="2026-01-06T09:00:00+00:00").code == 0
    assert _study(cli, db, demo_decks, "q\n", now="2026-01-06T10:00:00+00:00").code == 0
    dailies = [b for b in backup.listing(db) if b.label == "daily"]
    assert len(dailies) == 1 and dailies[0].taken_at.date().isoformat() == "2026-01-06"
    assert _reviews(dailies[0].path) == 1  # taken before that day's first rating
    listed = cli("--db", str(db), "backup", "--list")
    assert "manual" in listed.out and "daily" in listed.out

    target = tmp_path / "elsewhere" / "copy.sqlite3"
    assert cli("--db", str(db), "backup", str(target)).code == 0
    assert _reviews(target) == _reviews(db)


def test_rotation_keeps_seven_days_and_four_weeks(tmp_path: Path) -> None:
    db = tmp_path / "llmprep.sqlite3"
    sqlite3.connect(db).close()
    start = datetime(2026, 1, 1, 8, 0, 0)
    folder = backup.folder_for(db)
    folder.mkdir()
    for day in range(60):
        stamp = start + timedelta(days=day)
        (folder / f"llmprep.daily.{stamp:%Y%m%dT%H%M%S}.sqlite3").write_bytes(b"")
    (folder / f"llmprep.manual.{start:%Y%m%dT%H%M%S}.sqlite3").write_bytes(b"")
    backup.rotate(db)
    kept = backup.listing(db)
    dailies = [b.taken_at.date() for b in kept if b.label == "daily"]
    newest = (start + timedelta(days=59)).date()
    assert dailies[-7:] == [newest - timedelta(days=d) for d in range(6, -1, -1)]
    older = dailies[:-7]
    assert len(older) == 4 and len({d.isocalendar()[:2] for d in older}) == 4
    assert [b.label for b in kept].count("manual") == 1


def test_restore_asks_backs_up_the_current_state_and_refuses_a_foreign_file(
    cli, tmp_path: Path, demo_decks: Path
) -> None:
    db = tmp_path / "data" / "llmprep.sqlite3"
    _study(cli, db, demo_decks, "\n3\nq\n")
    cli("--db", str(db), "backup")
    (saved,) = backup.listing(db)
    _study(cli, db, demo_decks, "\n3\n\n3\nq\n")
    assert _reviews(db) == 3

    refused = cli("--db", str(db), "restore", str(saved.path))  # stdin is not a terminal: no silent replace
    assert refused.code != 0 and "--yes" in refused.err and _reviews(db) == 3

    foreign = tmp_path / "other.sqlite3"
    with contextlib.closing(sqlite3.connect(foreign)) as conn:
        conn.execute("CREATE TABLE photos (id INTEGER)")
    bad = cli("--db", str(db), "restore", str(foreign), "--yes")
    assert bad.code != 0 and "another application's" in bad.err and _reviews(db) == 3

    done = cli("--db", str(db), "restore", str(saved.path), "--yes")
    assert done.code == 0, done.err
    assert _reviews(db) == 1
    (before,) = [b for b in backup.listing(db) if b.label == "pre-restore"]
    assert _reviews(before.path) == 3


def test_export_import_round_trip_gives_the_same_stats_and_queue(cli, tmp_path: Path, demo_decks: Path) -> None:
    db = tmp_path / "a" / "llmprep.sqlite3"
    _study(cli, db, demo_decks, "\n3\n\n1\n\n4\nq\n")
    _study(cli, db, demo_decks, "\n3\nq\n", now="2026-01-06T09:00:00+00:00")
    cli("--db", str(db), "--decks", str(demo_decks), "decks", "unsuspend", "demo-two")
    exported = tmp_path / "history.json"
    assert cli("--db", str(db), "--decks", str(demo_decks), "export", str(exported)).code == 0
    document = json.loads(exported.read_text())
    assert len(document["review_log"]) == _reviews(db) == 4

    copy = tmp_path / "b" / "llmprep.sqlite3"
    result = cli("--db", str(copy), "--decks", str(demo_decks), "import", str(exported))
    assert result.code == 0, result.err
    assert _stats(cli, copy, demo_decks) == _stats(cli, db, demo_decks)
    queue = [
        cli("--db", str(d), "--decks", str(demo_decks), "decks", now="2026-01-09T09:00:00+00:00").out
        for d in (db, copy)
    ]
    assert queue[0] == queue[1]

    again = cli("--db", str(copy), "--decks", str(demo_decks), "import", str(exported))
    assert again.code != 0 and "--merge" in again.err
    merged = cli("--db", str(copy), "--decks", str(demo_decks), "import", str(exported), "--merge")
    assert merged.code == 0 and "imported 0 reviews" in merged.out and "7 already present" in merged.out
    assert _reviews(copy) == 4

    csv_out = cli("--db", str(db), "--decks", str(demo_decks), "export", "--format", "csv")
    lines = csv_out.out.strip().splitlines()
    assert lines[0].startswith("card_id,rating,reviewed_at") and len(lines) == 5


@pytest.mark.parametrize(
    "text",
    ["not json", '{"format": "something else"}', '{"format": "llmprep-history", "version": 1, "review_log": {}}'],
)
def test_import_of_a_bad_file_is_one_line(cli, tmp_path: Path, demo_decks: Path, text: str) -> None:
    source = tmp_path / "bad.json"
    source.write_text(text)
    result = cli("--decks", str(demo_decks), "import", str(source))
    assert result.code != 0 and "bad.json" in result.err and "Traceback" not in result.err


def _anki_collection(tmp_path: Path):
    from anki import collection  # Anki's own library (the dev extra): the real client, not a zip inspection

    return collection, collection.Collection(str(tmp_path / "anki" / "collection.anki2"))


def test_apkg_imports_into_a_real_anki_collection(cli, tmp_path: Path, demo_decks: Path) -> None:
    (tmp_path / "anki").mkdir()
    collection, col = _anki_collection(tmp_path)
    package = tmp_path / "llmprep.apkg"
    result = cli("--decks", str(demo_decks), "export", "--format", "anki", "--lang", "en", str(package))
    assert result.code == 0, result.err
    try:
        request = collection.ImportAnkiPackageRequest(
            package_path=str(package), options=collection.ImportAnkiPackageOptions(with_scheduling=False)
        )
        col.import_anki_package(request)
        decks = {d.name for d in col.decks.all_names_and_ids()}
        assert {"llmprep::demo", "llmprep::lora-peft", "llmprep::algorithms"} <= decks
        notes = [col.get_note(nid) for nid in col.find_notes('"deck:llmprep::demo"')]
        assert len(notes) == 3
        one = next(n for n in notes if n["Id"] == "demo-one")
        assert one["Question"] == "<p>Question one</p>" and one["Answer"] == "<p>Answer one</p>"
        assert one["Pitfall"] == "<p>Pitfall one</p>" and "Paper 2020, §1" in one["Sources"]
        assert "alpha" in one.tags
        code = col.get_note(col.find_notes('"Id:code-mha"')[0])
        assert "llmprep code mha" in code["Answer"] and code["Question"]
        lora = col.get_note(col.find_notes('"Id:lora-init-b-zero"')[0])
        assert "<code>" in lora["Answer"]  # Markdown code spans and blocks stay code
    finally:
        col.close()


def test_tsv_imports_into_a_real_anki_collection(cli, tmp_path: Path, demo_decks: Path) -> None:
    (tmp_path / "anki").mkdir()
    collection, col = _anki_collection(tmp_path)
    tsv = tmp_path / "cards.tsv"
    assert cli("--decks", str(demo_decks), "export", "--format", "tsv", "--lang", "zh", str(tsv)).code == 0
    try:
        metadata = col.get_csv_metadata(path=str(tsv), delimiter=None)
        col.import_csv(collection.ImportCsvRequest(path=str(tsv), metadata=metadata))
        notes = [col.get_note(nid) for nid in col.find_notes('"deck:llmprep::demo"')]
        assert len(notes) == 3
        one = next(n for n in notes if n["Front"] == "<p>问题一</p>")
        assert one["Back"].startswith("<p>答案一</p>") and "误区一" in one["Back"] and "Paper 2020" in one["Back"]
        assert "alpha" in one.tags
        assert {d.name for d in col.decks.all_names_and_ids()} >= {"llmprep::demo"}
    finally:
        col.close()


def test_a_foreign_sqlite_file_is_refused_untouched(cli, tmp_path: Path, demo_decks: Path) -> None:
    other = tmp_path / "photos.db"
    with contextlib.closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE photos (id INTEGER, path TEXT)")
        conn.commit()
    before = _sha(other)
    solution = Path(__file__).parent.parent / "solutions" / "mha.py"
    for args in (("study",), ("stats",), ("code", "mha", "--file", str(solution))):
        result = cli("--db", str(other), "--decks", str(demo_decks), *args)
        assert result.code != 0 and "not an llmprep database" in result.err, result.err
    assert _sha(other) == before


def _damage(db: Path, how: str) -> None:
    data = bytearray(db.read_bytes())
    page = 4096
    if how == "page":
        data[2 * page : 3 * page] = b"\xa5" * page
    else:  # the last page cut off
        del data[-page:]
    db.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["page", "truncated"])
def test_a_damaged_database_is_refused_before_any_write_and_names_the_backup(
    cli, tmp_path: Path, demo_decks: Path, how: str
) -> None:
    db = tmp_path / "data" / "llmprep.sqlite3"
    _study(cli, db, demo_decks, "\n3\n\n3\n\n3\nq\n")
    cli("--db", str(db), "backup")
    (saved,) = backup.listing(db)
    _damage(db, how)
    before = _sha(db)
    result = _study(cli, db, demo_decks, "\n3\nq\n", now="2026-01-08T09:00:00+00:00")
    assert result.code != 0 and "is damaged" in result.err and f"llmprep restore {saved.path}" in result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
    assert _sha(db) == before


def test_schema_drift_is_a_clear_error_not_a_lost_rating(cli, tmp_path: Path, demo_decks: Path) -> None:
    db = tmp_path / "data" / "llmprep.sqlite3"
    _study(cli, db, demo_decks, "\n3\nq\n")
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("ALTER TABLE review_log DROP COLUMN scheduled_days")
        conn.commit()
    result = _study(cli, db, demo_decks, "\n3\nq\n")
    assert result.code != 0 and "lacks scheduled_days" in result.err and "internal error" not in result.err


def test_a_huge_submission_is_refused_and_stored_sources_are_capped(cli, tmp_path: Path, demo_decks: Path) -> None:
    from llmprep.grading import attempts

    huge = tmp_path / "huge.py"
    huge.write_text("x = 1\n" * 400_000)
    result = cli("--decks", str(demo_decks), "code", "mha", "--file", str(huge))
    assert result.code != 0 and "huge.py" in result.err and "at most" in result.err
    long_source = "# pad\n" * 50_000
    stored = attempts._capped(long_source)
    assert len(stored) < attempts.STORED_SOURCE_CHARS + 100 and stored.endswith("more characters not stored\n")
    assert attempts._capped("short") == "short"


def test_a_yaml_integer_too_long_to_read_is_one_line(cli, tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "big.yaml").write_text("deck: big\ntitle: {zh: a, en: b}\ncards: " + "9" * 5000 + "\n")
    result = cli("decks", "validate", str(folder))
    assert result.code != 0 and "big.yaml" in result.err + result.out and "Traceback" not in result.err


def test_a_card_renamed_in_yaml_keeps_its_history(cli, tmp_path: Path, demo_decks: Path) -> None:
    db = tmp_path / "data" / "llmprep.sqlite3"
    _study(cli, db, demo_decks, "\n3\nq\n")  # demo-one studied once
    deck = demo_decks / "demo.yaml"
    deck.write_text(deck.read_text().replace("  - id: demo-one\n", "  - id: demo-uno\n    renamed_from: [demo-one]\n"))
    before = _stats(cli, db, demo_decks)
    assert before["reviews"] == 1
    with contextlib.closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT DISTINCT card_id FROM review_log").fetchall() == [("demo-uno",)]
        assert conn.execute("SELECT card_id FROM card_state").fetchall() == [("demo-uno",)]
    shown = _study(cli, db, demo_decks, "\n3\nq\n")
    assert "Question one" not in shown.out  # not new again: it is the card studied yesterday under its old id


def test_renamed_from_its_own_id_is_refused(tmp_path: Path) -> None:
    from llmprep import decks

    path = tmp_path / "x.yaml"
    path.write_text(
        "deck: x\ntitle: {zh: a, en: b}\ncards:\n  - id: a\n    renamed_from: [a]\n    q: {zh: q, en: q}\n    a: {zh: a, en: a}\n"
    )
    _, _, problems = decks.parse_file(path)
    assert any("renamed_from" in p and "OLD ids" in p for p in problems)


def test_a_deleted_deck_keeps_its_reviews_in_the_totals(cli, tmp_path: Path, demo_decks: Path) -> None:
    db = tmp_path / "data" / "llmprep.sqlite3"
    other = demo_decks / "other.yaml"
    other.write_text(
        "deck: other\ntitle: {zh: 另, en: Other}\ncards:\n  - id: other-one\n    q: {zh: 问, en: Q}\n    a: {zh: 答, en: A}\n"
    )
    _study(cli, db, demo_decks, "\n3\nq\n")
    assert cli("--db", str(db), "--decks", str(demo_decks), "study", "--deck", "other", input="\n3\nq\n").code == 0
    assert _stats(cli, db, demo_decks)["reviews"] == 2
    other.unlink()  # the user deletes a deck
    report = _stats(cli, db, demo_decks)
    assert report["reviews"] == 2 and report["today"]["reviewed"] == 2  # the work was done
    assert "other" not in {d["name"] for d in report["decks"]}  # card counts cover the decks there are
