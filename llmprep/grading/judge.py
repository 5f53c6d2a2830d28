"""The trusted side of grading: runs a card's hidden pytest checks against a worker process.

Every verdict is decided here, from values the worker sends back; the submission's own process can
print, exit, crash or hang, and the worst it can do is fail its checks.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmprep.grading import banned, cardspec
from llmprep.grading.limits import Limits, preexec

STATUSES = ("pass", "fail", "error", "timeout", "memory", "crash", "banned")


class SubmissionFailure(Exception):
    """The worker could not produce a value: the check gets `status` instead of pass/fail."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class WorkerProcess:
    """One worker: started early (it imports torch while the judge does), restarted after a kill."""

    def __init__(self, device: str, workdir: Path, limits: Limits) -> None:
        self.device = device
        self.workdir = workdir
        self.limits = limits
        self.proc: subprocess.Popen[bytes] | None = None
        self.to_worker = self.from_worker = -1
        self.output_path = workdir / "output.txt"
        self.loaded: str | None = None

    def start(self) -> None:
        judge_read, worker_write = os.pipe()
        worker_read, judge_write = os.pipe()
        output = open(self.output_path, "ab")  # noqa: SIM115 - handed to the child
        env = {k: v for k, v in os.environ.items() if not k.startswith("LLMPREP_")}
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "llmprep.grading.worker",
                str(worker_read),
                str(worker_write),
                self.device,
                str(self.workdir),
            ],
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=output,
            cwd=self.workdir,
            env=env,
            pass_fds=(worker_read, worker_write),
            start_new_session=True,
            preexec_fn=preexec(self.limits, self.device),  # type: ignore[arg-type]
        )
        output.close()
        os.close(worker_read)
        os.close(worker_write)
        self.to_worker, self.from_worker = judge_write, judge_read
        self.loaded = None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _await_reply(self, timeout: float) -> Any:
        from llmprep.grading import protocol

        ready, _, _ = select.select([self.from_worker], [], [], max(timeout, 0.0))
        if not ready:
            self.kill()
            raise SubmissionFailure("timeout", f"no answer within {timeout:.1f}s (an endless loop?)")
        try:
            return protocol.receive(self.from_worker)
        except protocol.ChannelClosed:
            raise self._death() from None
        except Exception as exc:  # a garbled reply is the submission's doing
            self.kill()
            raise SubmissionFailure("crash", f"the worker sent an unreadable reply ({type(exc).__name__})") from None

    def _death(self) -> SubmissionFailure:
        assert self.proc is not None
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        self.kill()
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            if -code == signal.SIGKILL:
                return SubmissionFailure("memory", "the worker was killed (out of memory?)")
            return SubmissionFailure("crash", f"the worker died with {name}")
        return SubmissionFailure("crash", f"the worker exited with code {code} (os._exit or a crash)")

    def ensure(self, source_path: Path, deadline: float) -> None:
        if not self.alive():
            self.start()
        assert self.proc is not None
        if self.loaded is None:
            first = self._await_reply(min(self.limits.startup_seconds, deadline - time.monotonic()))
            if not first.get("ready"):
                raise SubmissionFailure("crash", "the worker did not start")
            self.loaded = ""
        if self.loaded != str(source_path):
            self.request({"op": "load", "path": str(source_path)}, deadline)
            self.loaded = str(source_path)

    def request(self, message: dict[str, Any], deadline: float) -> Any:
        from llmprep.grading import protocol

        timeout = min(self.limits.check_seconds, deadline - time.monotonic())
        try:
            protocol.send(self.to_worker, message)
        except (BrokenPipeError, OSError):
            raise self._death() from None
        reply = self._await_reply(timeout)
        if not isinstance(reply, dict) or "ok" not in reply:
            raise SubmissionFailure("crash", "the worker sent a malformed reply")
        if not reply["ok"]:
            raise SubmissionFailure(str(reply.get("status", "error")), str(reply.get("message", "")))
        return reply.get("value")

    def output_tail(self, limit: int = 600) -> str:
        try:
            data = self.output_path.read_bytes()
        except OSError:
            return ""
        return data[-limit:].decode("utf-8", "replace").strip()

    def kill(self) -> None:
        if self.proc is not None:
            # The whole process group, also after the worker exited: children it left behind share it.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        for fd in (self.to_worker, self.from_worker):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.to_worker = self.from_worker = -1
        self.loaded = None


@dataclass
class GradingRun:
    """State shared with the pytest plugin during one grading."""

    worker: WorkerProcess
    source_path: Path
    device: str
    dtype: str
    seed: int
    deadline: float
    results: list[dict[str, str]] = field(default_factory=list)


def grade(
    card_id: str,
    source: str,
    *,
    device: str = "cpu",
    dtype: str = "float32",
    seed: int | None = None,
    limits: Limits | None = None,
) -> dict[str, Any]:
    """Grade `source` against the card's hidden checks; returns the JSON verdict."""
    started = time.monotonic()
    spec = cardspec.load(card_id)
    limits = limits or spec.limits
    seed = seed if seed is not None else int.from_bytes(os.urandom(3), "big")
    verdict: dict[str, Any] = {
        "card": card_id,
        "passed": False,
        "device": device,
        "dtype": dtype,
        "seed": seed,
        "duration_s": 0.0,
        "checks": [],
    }
    problems = banned.scan(source, spec.banned)
    if problems:
        verdict["checks"] = problems
        verdict["duration_s"] = round(time.monotonic() - started, 3)
        return verdict
    workdir = Path(tempfile.mkdtemp(prefix="llmprep-grade-"))
    source_path = workdir / "submission.py"
    source_path.write_text(source, encoding="utf-8")
    worker = WorkerProcess(device, workdir, limits)
    worker.start()  # first, so that its torch import overlaps with ours
    try:
        run = GradingRun(worker, source_path, device, dtype, seed, started + limits.total_seconds)
        verdict["checks"] = _run_checks(spec, run)
    finally:
        worker.kill()
        shutil.rmtree(workdir, ignore_errors=True)
    verdict["passed"] = bool(verdict["checks"]) and all(c["status"] == "pass" for c in verdict["checks"])
    verdict["duration_s"] = round(time.monotonic() - started, 3)
    return verdict


def _run_checks(spec: cardspec.CardSpec, run: GradingRun) -> list[dict[str, str]]:
    import pytest

    from llmprep.grading import harness

    try:
        run.worker.ensure(run.source_path, run.deadline)
    except SubmissionFailure as failure:
        message = failure.message
        if failure.status == "error":
            message = "importing the submission failed:\n" + message
        return [{"name": "import", "status": failure.status, "message": message, "hint": ""}]
    plugin = harness.Plugin(run, spec)
    args = [
        str(spec.checks_path),
        "-q",
        "-p",
        "no:cacheprovider",
        "--noconftest",
        "-c",
        str(harness.INI_PATH),
        "--rootdir",
        str(spec.checks_path.parent),
        "-p",
        "no:warnings",
        "-s",
    ]
    with open(os.devnull, "w") as devnull:
        stdout = sys.stdout
        sys.stdout = devnull  # pytest's own progress output is not part of the verdict
        try:
            pytest.main(args, plugins=[plugin])
        finally:
            sys.stdout = stdout
    if not plugin.results:
        return [{"name": "checks", "status": "error", "message": "no check ran (a bug in llmprep)", "hint": ""}]
    return plugin.results
