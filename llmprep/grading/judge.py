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
        self.proc: subprocess.Popen[bytes] | None = None  # spawned workers
        self.pid = self.pgid = 0
        self.returncode: int | None = None
        self.to_worker = self.from_worker = -1
        self.output_path = workdir / "output.txt"
        self.loaded: str | None = None

    def start(self) -> None:
        """CPU: fork this process (torch is already imported, so the worker is ready at once).
        CUDA: a fresh interpreter, since CUDA does not survive fork."""
        judge_read, worker_write = os.pipe()
        worker_read, judge_write = os.pipe()
        if self.device == "cpu":
            self.pid = self._fork(worker_read, worker_write, judge_read, judge_write)
        else:
            self.pid = self._spawn(worker_read, worker_write)
        self.pgid = self.pid  # the worker leads its own session, so its group id is its pid
        os.close(worker_read)
        os.close(worker_write)
        self.to_worker, self.from_worker = judge_write, judge_read
        self.loaded = None

    def _fork(self, worker_read: int, worker_write: int, judge_read: int, judge_write: int) -> int:
        apply_limits = preexec(self.limits, self.device, forked=True)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid:
            return pid
        code = 70
        try:  # the child: never returns into the judge's stack
            os.setsid()
            os.close(judge_read)
            os.close(judge_write)
            output = os.open(self.output_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            os.dup2(output, 1)
            os.dup2(output, 2)
            os.close(output)
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            os.close(devnull)
            os.chdir(self.workdir)
            apply_limits()
            sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 - the child's own stdout
            sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
            from llmprep.grading import worker

            worker.serve(worker_read, worker_write, self.device, str(self.workdir))
            code = 0
        finally:
            os._exit(code)

    def _spawn(self, worker_read: int, worker_write: int) -> int:
        with open(self.output_path, "ab") as output:
            env = {k: v for k, v in os.environ.items() if not k.startswith("LLMPREP_")}
            proc = subprocess.Popen(
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
        self.proc = proc
        return proc.pid

    def alive(self) -> bool:
        return self.pid > 0 and self.exit_code() is None

    def exit_code(self, timeout: float = 0.0) -> int | None:
        """None while the worker runs; its return code (negative: killed by a signal) once it ended."""
        if self.proc is not None:
            try:
                return self.proc.wait(timeout) if timeout else self.proc.poll()
            except subprocess.TimeoutExpired:
                return None
        if self.pid <= 0:
            return self.returncode
        end = time.monotonic() + timeout
        while True:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self.returncode = os.waitstatus_to_exitcode(status)
                self.pid = -1
                return self.returncode
            if time.monotonic() >= end:
                return None
            time.sleep(0.01)

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
        code = self.exit_code(timeout=5)
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
        if self.pgid > 0:
            # The whole process group, also after the worker exited: children it left behind share it.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pgid, signal.SIGKILL)
            self.exit_code(timeout=5)
        self.proc = None
        self.pid = self.pgid = 0
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
    import torch

    torch.set_num_threads(1)  # no OpenMP pool in the judge: forking workers stays safe
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
        "--assert=plain",  # checks assert with their own messages; no rewriting of modules
        "--import-mode=importlib",  # every card's checks.py is a distinct module
    ]
    with open(os.devnull, "w") as devnull:
        stdout = sys.stdout
        sys.stdout = devnull  # pytest's own progress output is not part of the verdict
        autoload = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # third-party plugins have no say in a verdict
        sys.modules.pop("checks", None)  # importlib mode names every card's checks.py `checks`
        try:
            pytest.main(args, plugins=[plugin])
        finally:
            sys.stdout = stdout
            if autoload is None:
                os.environ.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
            else:
                os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = autoload
    if not plugin.results:
        return [{"name": "checks", "status": "error", "message": "no check ran (a bug in llmprep)", "hint": ""}]
    return plugin.results
