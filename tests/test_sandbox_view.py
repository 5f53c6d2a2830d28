"""What a sandboxed worker sees of the machine, probed from inside: only the system's programs and libraries,
the interpreter's import path and llmprep's package — not the user's home, /tmp, another clone of llmprep,
the judge's files or a terminal. The probe reports its view by failing its import with the view as message."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from llmprep import paths
from llmprep.grading import judge, sandbox

pytestmark = pytest.mark.slow

PROBE = """
import json, os
def readable(path):
    try:
        with open(path, "rb") as fh:
            return bool(fh.read(1))
    except OSError:
        return False
scratch_parent = os.path.dirname(os.getcwd())
view = {
    "root": os.listdir("/"),
    "dev": os.listdir("/dev"),
    "tmp": os.listdir("/tmp") if os.path.isdir("/tmp") else [],
    "judge_dir": os.listdir(scratch_parent),
    "readable": {p: readable(p) for p in PATHS},
    "terminals": [p for p in ("/dev/tty", "/dev/console", "/dev/pts/0", "/dev/ptmx") if os.path.exists(p)],
}
raise RuntimeError("VIEW" + json.dumps(view) + "END")
"""


def _view(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, probed: list[str]) -> dict:
    monkeypatch.setenv("HOME", str(tmp_path))
    source = f"PATHS = {probed!r}\n" + PROBE
    verdict = judge.grade("mha", source, seed=1)
    assert verdict["sandbox"] == "namespaces", verdict.get("sandbox_note")
    message = verdict["checks"][0]["message"]
    return json.loads(message[message.index("VIEW{") + 4 : message.rindex("}END") + 1])


def test_the_worker_sees_only_the_system_the_import_path_and_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clone = tmp_path / "old-clone" / "solutions"
    clone.mkdir(parents=True)
    (clone / "mha.py").write_text((paths.solutions() / "mha.py").read_text())
    secret = tmp_path / "notes.txt"
    secret.write_text("the user's own file")
    package = Path(judge.__file__).resolve().parents[1]
    probed = [
        str(clone / "mha.py"),
        str(secret),
        str(paths.solutions() / "mha.py"),
        str(package / "grading" / "cards" / "mha" / "checks.py"),
        str(package / "grading" / "worker.py"),  # the worker's own code: must stay readable
    ]
    view = _view(tmp_path, monkeypatch, probed)

    binds, symlinks = sandbox.visible_paths()
    allowed = {p.split("/")[1] for p in binds + symlinks} | {"dev", "proc", "tmp"}
    assert set(view["root"]) <= allowed, set(view["root"]) - allowed
    assert view["readable"] == {p: p.endswith("worker.py") for p in probed}
    assert sorted(view["dev"]) == sorted(
        {"fd", "stdin", "stdout", "stderr", "shm"} | {d for d in sandbox.DEVICES if os.path.exists(f"/dev/{d}")}
    )
    assert view["terminals"] == []
    # only its own scratch's parent (and, for a checkout kept under /tmp, the folder its package is bound at)
    under_tmp = {p.split("/")[2] for p in binds if p.startswith("/tmp/")}
    scratch = [name for name in view["tmp"] if name not in under_tmp]
    assert len(scratch) == 1 and scratch[0].startswith("llmprep-grade-"), view["tmp"]
    assert view["judge_dir"] == ["scratch"]  # not the judge's output file beside it


def test_a_checkout_on_the_path_shows_only_its_package() -> None:
    package = os.path.dirname(os.path.dirname(sandbox.__file__))
    binds, _ = sandbox.visible_paths()
    checkout = os.path.dirname(package)
    assert package in binds
    assert checkout not in binds and not any(checkout.startswith(b + "/") for b in binds if b != "/")


def test_a_view_that_cannot_be_built_starts_no_worker(tmp_path: Path) -> None:
    spec = sandbox.WorkerSpec(
        device="cpu",
        memory_bytes=1 << 30,
        output_bytes=1 << 16,
        processes=1 << 16,
        scratch_bytes=1 << 20,
        scratch=str(tmp_path / "missing" / "scratch"),  # nowhere to mount the new root
    )
    output = os.open(tmp_path / "output.txt", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        with pytest.raises(OSError, match="filesystem view"):
            sandbox.zygote_for("cpu").spawn(spec, output, time.monotonic() + 30)
    finally:
        os.close(output)
