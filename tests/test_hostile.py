"""Hostile submissions, grouped by what they attack (tests/hostile/<group>/*.py). Each one's first line names
the status it must get (`# expect-status: timeout`), an optional second line the card (`# card: softmax`,
default `mha`). None may pass; afterwards no process it started may exist, and no file outside the worker's
scratch dir may have changed: the installed package, the reference solutions, the user's data dir and a canary
file are hashed before and after."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path

import pytest

from llmprep import paths
from llmprep.grading import judge, sandbox
from llmprep.grading.limits import Limits
from tests.processes import live_processes

pytestmark = pytest.mark.slow  # each case starts a sandboxed worker; `make test-fast` leaves them out

HOSTILE = Path(__file__).parent / "hostile"
PACKAGE = Path(judge.__file__).resolve().parents[1]
# Tight limits keep hostile cases quick; they are the same code paths as the defaults.
FAST = Limits(check_seconds=4.0, total_seconds=12.0, memory_bytes=1 << 30)


def _expectations(path: Path) -> tuple[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    status = lines[0].removeprefix("# expect-status: ").strip()
    card = lines[1].removeprefix("# card: ").strip() if lines[1].startswith("# card: ") else "mha"
    return status, card


def _tree_hash(*roots: Path) -> dict[str, str]:
    digests = {}
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file() or p.is_symlink())
        for path in files:
            if "__pycache__" in path.parts:
                continue
            try:
                digests[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError as exc:
                digests[str(path)] = f"unreadable: {exc}"
    for root in roots:  # new files anywhere in those trees count as changes too
        if root.is_dir():
            digests[f"{root} (names)"] = ",".join(sorted(str(p) for p in root.rglob("*")))
    return digests


def _snapshot() -> tuple[dict[int, tuple[int, int, str]], int]:
    return live_processes(), len(sandbox.spawned)


def _started_by_grading(before: tuple[dict[int, tuple[int, int, str]], int]) -> list[int]:
    """New processes that descend from this test process, or live in the PID namespace or the session of a
    worker this grading started (a worker leads its own session and may not leave it: setsid is refused).
    Only this grading's workers: pids and namespace ids of earlier ones may since belong to other programs."""
    before, first_worker = before
    now = live_processes()
    for zygote in sandbox.zygote_pids():  # the judge's own, trusted, kept for the next grading
        now.pop(zygote, None)
    me = os.getpid()
    workers = {pid for pid, _ in sandbox.spawned[first_worker:]}
    namespaces = {namespace for _, namespace in sandbox.spawned[first_worker:]} - {os.readlink("/proc/self/ns/pid")}
    leaked = []
    for pid, (_, sid, namespace) in now.items():
        if pid in before or pid == me:
            continue
        ancestor, seen = pid, set()
        while ancestor in now and ancestor not in seen and ancestor != me:
            seen.add(ancestor)
            ancestor = now[ancestor][0]
        if ancestor == me or namespace in namespaces or sid in workers:
            leaked.append(pid)
    return leaked


def _left_behind(before: tuple[dict[int, tuple[int, int, str]], int], grace: float = 12.0) -> list[str]:
    """_started_by_grading, allowing a process still being torn down under a full run's load a moment to go (a
    process forked from the zygote was seen there after 3 s: the judge's own wait for a relay is bounded at 10 s);
    what outlives the grace is named with its command line."""
    deadline = time.monotonic() + grace
    while (leaked := _started_by_grading(before)) and time.monotonic() < deadline:
        time.sleep(0.1)
    named = []
    for pid in leaked:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            named.append(f"{pid}: {command}")
        except OSError:
            continue  # gone between the two reads
    return named


CASES = sorted(HOSTILE.glob("*/*.py"))


def test_there_are_hostile_cases_in_every_group() -> None:
    groups = {p.parent.name for p in CASES}
    assert {"verdict", "escape", "files", "resources", "bans"} <= groups
    assert len(CASES) >= 37


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_hostile_submission_gets_its_status_and_leaves_nothing(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected, card = _expectations(path)
    monkeypatch.setenv("HOME", str(tmp_path))
    canary = tmp_path / "canary.txt"
    canary.write_text("untouched")
    stray_clone = tmp_path / "old-clone" / "solutions"  # another copy of llmprep on the disk, as a user may have
    stray_clone.mkdir(parents=True)
    shutil.copy(paths.solutions() / f"{card}.py", stray_clone)
    data_dir = paths.home()
    (data_dir / "llmprep.sqlite3").write_bytes(b"the user's history")
    watched = (PACKAGE, paths.solutions(), data_dir, canary)
    hashes = _tree_hash(*watched)
    processes = _snapshot()

    verdict = judge.grade(card, path.read_text(encoding="utf-8"), seed=3, limits=FAST)

    assert verdict["passed"] is False, verdict
    statuses = {c["status"] for c in verdict["checks"]}
    assert expected in statuses, verdict["checks"]
    assert _left_behind(processes) == []
    assert _tree_hash(*watched) == hashes
    assert not (tmp_path / "llmprep-was-here.txt").exists()


BASIC_CASES = [
    HOSTILE / "files" / "writes_files.py",
    HOSTILE / "escape" / "kills_parent.py",
    HOSTILE / "escape" / "outliving_children.py",
    HOSTILE / "verdict" / "fake_reply_frames.py",
]


@pytest.mark.parametrize("path", BASIC_CASES, ids=lambda p: p.stem)
def test_the_basic_level_still_refuses_and_says_so(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without namespaces (forced here as on a kernel that refuses them) the verdict says `basic`, and the
    audit hook, seccomp and the process group still hold the line on these attacks."""
    monkeypatch.setenv("LLMPREP_SANDBOX", "basic")
    monkeypatch.setenv("HOME", str(tmp_path))
    expected, card = _expectations(path)
    processes = _snapshot()
    verdict = judge.grade(card, path.read_text(encoding="utf-8"), seed=3, limits=FAST)
    assert verdict["sandbox"] == "basic" and "LLMPREP_SANDBOX" in verdict["sandbox_note"]
    assert verdict["passed"] is False
    assert expected in {c["status"] for c in verdict["checks"]}
    assert _left_behind(processes) == []
    assert not (tmp_path / "llmprep-was-here.txt").exists()


def test_the_basic_level_grades_a_correct_solution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMPREP_SANDBOX", "basic")
    verdict = judge.grade("mha", (paths.solutions() / "mha.py").read_text(encoding="utf-8"), seed=2)
    assert verdict["passed"] and verdict["sandbox"] == "basic"
