"""The trusted side of grading: runs a card's hidden pytest checks against a sandboxed worker process.

Every verdict is decided here, from values the worker sends back (`protocol`); the worker is born in the
sandbox (`sandbox`) from a zygote that holds nothing of the checks, and the worst a submission can do is fail
its checks. A run that does not report every collected check, for whatever reason, is not a pass.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmprep import paths
from llmprep.errors import ExitCode, LlmprepError, UsageError
from llmprep.grading import banned, cardspec
from llmprep.grading.limits import Limits, user_process_count

STATUSES = ("pass", "fail", "error", "timeout", "memory", "crash", "banned", "skipped")


class SubmissionFailure(Exception):
    """The worker could not produce a value: the check gets `status` instead of pass/fail."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Interrupted(LlmprepError):
    """The user pressed Ctrl-C while a submission was graded: no verdict, nothing to store."""

    exit_code = ExitCode.INTERRUPTED

    def __init__(self) -> None:
        super().__init__("interrupted: grading stopped before every check ran; nothing was stored")


class WorkerProcess:
    """The current worker: born from the zygote, restarted (from the zygote again) after a kill."""

    def __init__(
        self, zygote: Any, spec: Any, output_fd: int, limits: Limits, source: str, bans: dict[str, list[str]]
    ) -> None:
        self.zygote = zygote
        self.spec = spec
        self.output_fd = output_fd
        self.output_path = Path(f"/proc/self/fd/{output_fd}")
        self.limits = limits
        self.source = source
        self.bans = bans
        self.handle: Any = None
        self.loaded = False
        self.sandbox = ""
        self.sandbox_note = ""
        self.timed_out = False  # after one timeout the other checks are skipped: one check's wait, not all

    def _start(self, deadline: float) -> None:
        try:
            self.handle = self.zygote.spawn(self.spec, self.output_fd, min(deadline, time.monotonic() + 30))
        except OSError as exc:
            raise SubmissionFailure("crash", f"the worker could not be started ({exc})") from None
        self.sandbox, self.sandbox_note = self.handle.level, self.handle.note
        self.loaded = False

    def _await_reply(self, deadline: float) -> Any:
        """A value, or SubmissionFailure: a failure the worker reports, a deadline, a death, or a violation."""
        from llmprep.grading import protocol

        assert self.handle is not None
        try:
            reply = protocol.receive(self.handle.reply_fd, deadline)
            failure = protocol.reply_status(reply)
        except protocol.Deadline:
            self.kill()
            self.timed_out = True
            raise SubmissionFailure("timeout", "no answer in time (an endless loop?)") from None
        except protocol.ChannelClosed:
            raise self._death() from None
        except protocol.ProtocolViolation as exc:
            self.kill()
            raise SubmissionFailure("error", f"the worker broke the grading protocol ({exc}); it was stopped") from None
        if failure is not None:
            raise SubmissionFailure(*failure)
        return reply["value"]

    def _death(self) -> SubmissionFailure:
        assert self.handle is not None
        code = self.handle.wait(5.0)
        self.kill()
        if code is not None and code < 0:
            import signal

            if -code == signal.SIGKILL:
                return SubmissionFailure("memory", "the worker was killed (out of memory?)")
            return SubmissionFailure("crash", f"the worker died with {signal.Signals(-code).name}")
        return SubmissionFailure("crash", f"the worker exited with code {code} (os._exit or a crash)")

    def ensure(self, deadline: float) -> None:
        if self.timed_out:
            raise SubmissionFailure("skipped", "skipped after a timeout in an earlier check")
        if self.handle is None:
            self._start(deadline)
        if not self.loaded:
            startup = min(deadline, time.monotonic() + self.limits.startup_seconds)
            if self._await_reply(startup) != "ready":
                self.kill()
                raise SubmissionFailure("crash", "the worker did not start")
            self.loaded = True  # a failed import is not retried: the next request would fail the same way
            self.request({"op": "load", "source": self.source, **self.bans}, deadline)

    def request(self, message: dict[str, Any], deadline: float) -> Any:
        from llmprep.grading import protocol

        assert self.handle is not None
        check_deadline = min(deadline, time.monotonic() + self.limits.check_seconds)
        try:
            protocol.send(self.handle.request_fd, message, check_deadline)
        except protocol.Deadline:  # the worker stopped reading its requests
            self.kill()
            self.timed_out = True
            raise SubmissionFailure("timeout", "the worker stopped reading its input (stuck?)") from None
        except OSError:
            raise self._death() from None
        return self._await_reply(check_deadline)

    def output_tail(self, limit: int = 600) -> str:
        try:
            with open(self.output_path, "rb") as fh:
                data = fh.read()
        except OSError:
            return ""
        return data[-limit:].decode("utf-8", "replace").strip()

    def kill(self) -> None:
        """Stop the worker and wait until it and every process it started are gone."""
        if self.handle is not None:
            self.handle.kill()
            self.handle = None
        self.loaded = False


@dataclass
class GradingRun:
    """State shared with the pytest plugin during one grading."""

    worker: WorkerProcess
    device: str
    dtype: str
    seed: int
    deadline: float
    progress: Callable[[str | None], None] | None = None
    results: list[dict[str, str]] = field(default_factory=list)


def resolve_device(option: str, dtype: str) -> str:
    """auto -> cuda when available, else cpu; an unavailable cuda or bf16 on the CPU is a usage error."""
    if option == "cpu":
        resolved = "cpu"
    else:
        import torch

        resolved = "cuda" if torch.cuda.is_available() else "cpu"
        if option == "cuda" and resolved != "cuda":
            raise UsageError("--device cuda: no CUDA device is available here (torch.cuda.is_available() is False)")
    if dtype == "bfloat16" and resolved != "cuda":
        raise UsageError("--dtype bfloat16 is graded on CUDA only (CPU bf16 tolerances would hide real bugs)")
    return resolved


def hidden_paths(extra: tuple[Path, ...] = ()) -> tuple[str, ...]:
    """What a worker must not see though it lies within what it may see (the sandbox shows only the system, the
    import path and llmprep's package): the checks, the reference solutions and the user's data."""
    from llmprep.grading import catalogue

    candidates = [catalogue.CARDS_DIR, paths.solutions(), paths.home(), *extra]
    return tuple(dict.fromkeys(str(p.resolve()) for p in candidates if p.exists()))


def grade(
    card_id: str,
    source: str,
    *,
    device: str = "cpu",
    dtype: str = "float32",
    seed: int | None = None,
    limits: Limits | None = None,
    hide: tuple[Path, ...] = (),
    progress: Callable[[str | None], None] | None = None,
) -> dict[str, Any]:
    """Grade `source` against the card's hidden checks; returns the JSON verdict.

    `device` may be "auto" (CUDA when available); it is resolved after the AST pass, so a syntax error or a
    banned call is reported without importing torch. Raises `Interrupted` when the user pressed Ctrl-C: the run
    is not a verdict. `hide` adds paths the worker must not see (the CLI passes the data dir of the database in
    use); `progress` is called with each check's name as it starts."""
    started = time.monotonic()
    spec = cardspec.load(card_id)
    limits = limits or spec.limits
    verdict: dict[str, Any] = {
        "card": card_id,
        "passed": False,
        "device": device,
        "dtype": dtype,
        "seed": seed,
        "sandbox": "none",
        "duration_s": 0.0,
        "checks": [],
    }
    problems = banned.scan(source, spec.banned)
    if problems:
        verdict["checks"] = problems
        verdict["duration_s"] = round(time.monotonic() - started, 3)
        return verdict
    device = verdict["device"] = resolve_device(device, dtype)
    from llmprep.grading import sandbox

    workdir = Path(tempfile.mkdtemp(prefix="llmprep-grade-"))
    (workdir / "scratch").mkdir()
    worker_spec = sandbox.WorkerSpec(
        device=device,
        memory_bytes=limits.memory_bytes,
        output_bytes=limits.output_bytes,
        processes=user_process_count() + limits.extra_processes,
        scratch_bytes=limits.scratch_bytes,
        scratch=str(workdir / "scratch"),
        hidden=hidden_paths(hide),
        namespaces=os.environ.get("LLMPREP_SANDBOX", "") != "basic",
    )
    output_fd = -1
    interrupted = False
    try:
        zygote = sandbox.zygote_for(device)  # a fresh interpreter: its torch import overlaps with ours
        import torch

        torch.set_num_threads(1)
        seed = seed if seed is not None else int.from_bytes(os.urandom(3), "big")
        verdict["seed"] = seed
        output_fd = os.open(workdir / "output.txt", os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        bans = {"rules": list(spec.banned), "ops": list(spec.banned_ops)}
        worker = WorkerProcess(zygote, worker_spec, output_fd, limits, source, bans)
        run = GradingRun(worker, device, dtype, seed, started + limits.total_seconds, progress)
        try:
            verdict["checks"] = _run_checks(spec, run)
        finally:
            worker.kill()
            verdict["sandbox"] = worker.sandbox or "none"
            if worker.sandbox_note:
                verdict["sandbox_note"] = worker.sandbox_note
    except (KeyboardInterrupt, Interrupted):
        interrupted = True
    finally:
        if output_fd >= 0:
            os.close(output_fd)
        shutil.rmtree(workdir, ignore_errors=True)
    if interrupted:
        raise Interrupted
    verdict["passed"] = bool(verdict["checks"]) and all(c["status"] == "pass" for c in verdict["checks"])
    verdict["duration_s"] = round(time.monotonic() - started, 3)
    return verdict


def _error(name: str, message: str) -> dict[str, str]:
    return {"name": name, "status": "error", "message": message, "hint": ""}


def _run_checks(spec: cardspec.CardSpec, run: GradingRun) -> list[dict[str, str]]:
    import pytest

    from llmprep.grading import harness

    try:
        run.worker.ensure(run.deadline)
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
        "-p",
        "no:unraisableexception",  # it runs gc.collect() five times per session: ≈0.5 s of every grading
        "-p",
        "no:threadexception",
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
            exit_code = pytest.main(args, plugins=[plugin])
        finally:
            sys.stdout = stdout
            if autoload is None:
                os.environ.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
            else:
                os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = autoload
    if plugin.interrupted:
        raise Interrupted
    results = list(plugin.results)
    reported = {r["name"] for r in results}
    # Every collected check must have reported; a run that ended early for any reason is not a pass.
    results += [_error(name, "this check never reported a result") for name in plugin.collected if name not in reported]
    if not plugin.collected:
        results.append(_error("checks", "no check was collected (a bug in llmprep)"))
    if exit_code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        results.append(_error("checks", f"the check run ended early (pytest exit status {int(exit_code)})"))
    return results
