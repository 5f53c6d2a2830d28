"""`llmprep code` end to end: --file, --json, exit codes, the editor loop, and attempts feeding the scheduler."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

from tests.processes import live_processes

ROOT = Path(__file__).parent.parent
SOLUTION = ROOT / "solutions" / "mha.py"
WRONG = ROOT / "tests" / "mutations" / "mha" / "no_scaling.py"


def rows(home: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(home / "llmprep.sqlite3") as conn:
        return conn.execute(sql).fetchall()


def test_file_json_verdict_and_exit_codes(cli, isolated: Path) -> None:
    result = cli("code", "mha", "--file", str(SOLUTION), "--json", "--device", "cpu", "--seed", "4")
    assert result.code == 0, result.err
    verdict = json.loads(result.out)
    assert set(verdict) >= {"card", "passed", "device", "duration_s", "checks"}
    assert verdict["card"] == "mha" and verdict["passed"] is True and verdict["device"] == "cpu"
    assert all(set(c) >= {"name", "status", "message"} for c in verdict["checks"])
    failed = cli("code", "mha", "--file", str(WRONG), "--json", "--device", "cpu")
    assert failed.code == 1
    assert json.loads(failed.out)["passed"] is False


def test_attempts_are_stored_and_rated(cli, isolated: Path) -> None:
    cli("code", "mha", "--file", str(WRONG), "--device", "cpu")
    assert rows(isolated, "select count(*) from review_log") == [(0,)]  # a failure alone rates nothing
    result = cli("code", "mha", "--file", str(SOLUTION), "--device", "cpu")
    assert result.code == 0 and "all checks pass" in result.out
    assert rows(isolated, "select passed, device from attempts order by id") == [(0, "cpu"), (1, "cpu")]
    # pass after a failure -> Hard; the card is now scheduled like any other
    assert rows(isolated, "select card_id, rating from review_log") == [("code-mha", 2)]
    assert rows(isolated, "select count(*) from card_state where card_id = 'code-mha'") == [(1,)]
    source = rows(isolated, "select source from attempts order by id desc limit 1")[0][0]
    assert "class MultiHeadAttention" in source


def test_first_try_pass_rates_good(cli, isolated: Path) -> None:
    assert cli("code", "mha", "--file", str(SOLUTION), "--device", "cpu").code == 0
    assert rows(isolated, "select rating from review_log") == [(3,)]


def test_usage_errors(cli, isolated: Path, tmp_path: Path) -> None:
    assert cli("code", "nope", "--file", str(SOLUTION)).code == 2
    assert cli("code", "mha", "--file", str(tmp_path / "missing.py")).code == 2
    import torch

    if not torch.cuda.is_available():
        result = cli("code", "mha", "--file", str(SOLUTION), "--device", "cuda")
        assert result.code == 2 and "no CUDA device" in result.err
    latin = tmp_path / "latin.py"
    latin.write_bytes(b"# \xff\xfe\n")
    bad = cli("code", "mha", "--file", str(latin))
    assert bad.code == 2 and "not UTF-8" in bad.err


def test_listing_shows_cards_and_last_verdict(cli, isolated: Path) -> None:
    cli("code", "mha", "--file", str(SOLUTION), "--device", "cpu")
    listing = cli("code")
    assert listing.code == 0
    assert "mha" in listing.out and "pass" in listing.out


def test_editor_loop_with_a_real_editor_script(isolated: Path, tmp_path: Path) -> None:
    """EDITOR is a script that writes the reference solution into the workspace file it is given."""
    editor = tmp_path / "fake-editor"
    editor.write_text(f'#!/bin/sh\ngrep -q \'raise NotImplementedError\' "$1" && cp {SOLUTION} "$1"\nexit 0\n')
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "EDITOR": str(editor), "VISUAL": ""}
    done = subprocess.run(
        [sys.executable, "-m", "llmprep", "code", "mha", "--device", "cpu"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "all checks pass" in done.stdout
    workspace = isolated / "workspace" / "mha.py"
    assert workspace.read_text() == SOLUTION.read_text()


def test_editor_loop_give_up_shows_the_solution_and_rates_again(isolated: Path, tmp_path: Path) -> None:
    editor = tmp_path / "lazy-editor"
    editor.write_text("#!/bin/sh\nexit 0\n")  # leaves the template as it is
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "EDITOR": str(editor), "VISUAL": ""}
    done = subprocess.run(
        [sys.executable, "-m", "llmprep", "code", "mha", "--device", "cpu"],
        env=env,
        input="g\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "def _split" in done.stdout  # the reference solution is shown
    assert rows(isolated, "select rating from review_log") == [(1,)]
    assert rows(isolated, "select gave_up from attempts") == [(1,)]


def _sandboxed_descendants(root: int) -> list[int]:
    """Descendants of `root` that live in another PID namespace than ours: its workers."""
    table = live_processes()
    mine = os.readlink("/proc/self/ns/pid")
    found = []
    for pid, (_, _, namespace) in table.items():
        ancestor = pid
        for _ in range(64):
            ancestor = table.get(ancestor, (0, 0, ""))[0]
            if ancestor in (0, root):
                break
        if ancestor == root and namespace != mine:
            found.append(pid)
    return found


def test_ctrl_c_while_grading_stores_nothing_and_exits_130(isolated: Path, tmp_path: Path) -> None:
    """Ctrl-C reaches the whole foreground process group, as a terminal sends it."""
    import signal
    import time

    slow = tmp_path / "slow.py"
    slow.write_text(SOLUTION.read_text(encoding="utf-8").replace("def forward(self,", "def _forward(self,"))
    slow.write_text(
        slow.read_text()
        + "\n    def forward(self, *args, **kwargs):\n        import time\n\n        time.sleep(1.5)\n"
        + "        return self._forward(*args, **kwargs)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "llmprep", "code", "mha", "--file", str(slow), "--json", "--device", "cpu"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "LLMPREP_HOME": str(isolated)},
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not _sandboxed_descendants(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(2)  # a few checks have passed by now
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert out == ""  # no verdict at all, let alone "passed": true
    assert "interrupted" in err and "Traceback" not in err
    database = isolated / "llmprep.sqlite3"  # opened lazily: an interrupted grading need not create it
    if database.exists():
        assert rows(isolated, "select count(*) from attempts") == [(0,)]
        assert rows(isolated, "select count(*) from review_log") == [(0,)]
    # the zygote, relays and workers are gone with the command (workers in the PID namespace of their own)
    assert [pid for pid, (_, sid, _) in live_processes().items() if sid == proc.pid] == []


def _run_without_torch(*args: str, home: Path) -> tuple[int, str, bool]:
    """Run the CLI in a fresh interpreter; report whether it imported torch."""
    script = (
        "import sys\nfrom llmprep.cli import run\ncode = run(sys.argv[1:])\n"
        "print('TORCH' if 'torch' in sys.modules else 'NO-TORCH')\nsys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "LLMPREP_HOME": str(home)},
        timeout=120,
    )
    return done.returncode, done.stdout + done.stderr, "NO-TORCH" in done.stdout


def test_bad_files_are_reported_before_torch_is_imported(isolated: Path, tmp_path: Path) -> None:
    code, output, no_torch = _run_without_torch("code", "mha", "--file", "/nonexistent.py", home=isolated)
    assert code == 2 and "/nonexistent.py: no such file" in output and no_torch
    broken = tmp_path / "broken.py"
    broken.write_text("import torch\n\ndef f(x):\n    return x +* 2\n")
    code, output, no_torch = _run_without_torch("code", "mha", "--file", str(broken), "--json", home=isolated)
    assert code == 1 and no_torch
    message = json.loads(output.splitlines()[0])["checks"][0]["message"]
    assert message.splitlines() == ["line 4: invalid syntax", "    return x +* 2", "              ^"]
    banned_call = tmp_path / "banned.py"
    banned_call.write_text("import torch.nn.functional as F\nattend = F.scaled_dot_product_attention\n")
    code, output, no_torch = _run_without_torch("code", "mha", "--file", str(banned_call), home=isolated)
    assert code == 1 and "line 2" in output and no_torch


def test_after_an_endless_loop_the_other_checks_are_skipped(cli, isolated: Path, tmp_path: Path) -> None:
    looping = tmp_path / "loop.py"
    looping.write_text(
        SOLUTION.read_text().replace("        b, lq, d_model = q.shape\n", "        while True:\n            pass\n")
    )
    result = cli("code", "mha", "--file", str(looping), "--json", "--device", "cpu")
    verdict = json.loads(result.out)
    statuses = [c["status"] for c in verdict["checks"]]
    assert statuses.count("timeout") == 1
    assert statuses[statuses.index("timeout") + 1 :] and all(
        s == "skipped" for s in statuses[statuses.index("timeout") + 1 :]
    )
    assert verdict["duration_s"] < 30  # one check's wait (10 s), not eleven


def test_one_cause_is_one_row_and_a_hint_is_shown_once(cli, isolated: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.py"
    empty.write_text("")
    result = cli("code", "mha", "--file", str(empty), "--device", "cpu")
    assert result.code == 1
    assert "checks)" in result.out  # the identical failures share a row, with their count
    assert result.out.count("`MultiHeadAttention`") == 1


def test_a_pass_says_how_the_card_was_rated_and_when_it_returns(cli, isolated: Path) -> None:
    result = cli("code", "mha", "--file", str(SOLUTION), "--device", "cpu")
    assert result.code == 0
    assert "rated Good · next due in" in result.out
