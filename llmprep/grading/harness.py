"""What hidden checks use: the `sub` fixture (the submission, behind the worker), `case` (seeded inputs,
device and dtype), and `close` (numeric comparison with a diff that teaches).

Inputs are made in float64 on the judge's side; `sub` sends floating tensors in the grading dtype, and
checks compare the answers against float64 references computed here.
"""

from __future__ import annotations

import hashlib
import math
import time
from pathlib import Path
from typing import Any

import pytest
import torch

from llmprep.grading.judge import GradingRun, SubmissionFailure

INI_PATH = Path(__file__).with_name("pytest.ini")
TOLERANCES = {  # (rtol, atol) against a float64 reference
    "float32": (1e-4, 1e-5),
    "bfloat16": (2e-2, 2e-2),
    "float16": (5e-3, 5e-3),
}


class Case:
    """Per-check random inputs from the run's seed (the report prints the seed; --seed replays it)."""

    def __init__(self, seed: int, check: str, device: str, dtype: str) -> None:
        digest = hashlib.sha256(f"{seed}:{check}".encode()).digest()
        self.generator = torch.Generator().manual_seed(int.from_bytes(digest[:8], "big") >> 1)
        self.device = device
        self.dtype_name = dtype
        self.dtype = getattr(torch, dtype)
        self.rtol, self.atol = TOLERANCES[dtype]

    def randn(self, *shape: int, scale: float = 1.0, offset: float = 0.0) -> torch.Tensor:
        return torch.randn(*shape, generator=self.generator, dtype=torch.float64) * scale + offset

    def rand(self, *shape: int) -> torch.Tensor:
        return torch.rand(*shape, generator=self.generator, dtype=torch.float64)

    def randint(self, low: int, high: int, shape: tuple[int, ...]) -> torch.Tensor:
        return torch.randint(low, high, shape, generator=self.generator)

    def ints(self, n: int, low: int, high: int) -> list[int]:
        return self.randint(low, high, (n,)).tolist()

    def exact(self, value: torch.Tensor) -> torch.Tensor:
        """The float64 value the worker actually receives (after rounding to the grading dtype)."""
        return value.to(self.dtype).to(torch.float64)

    def params_for(self, shapes: dict[str, list[int]], scale: float | None = None) -> dict[str, torch.Tensor]:
        """Random parameters of the given shapes, fan-in scaled, already rounded to the grading dtype."""
        out = {}
        for name, shape in shapes.items():
            fan_in = shape[-1] if len(shape) > 1 else 1
            std = scale if scale is not None else 1 / math.sqrt(fan_in)
            out[name] = self.exact(self.randn(*shape, scale=std))
        return out


def _to_wire(value: Any, dtype: torch.dtype) -> Any:
    if isinstance(value, torch.Tensor):
        return value.to(dtype) if value.is_floating_point() else value
    if isinstance(value, list):
        return [_to_wire(v, dtype) for v in value]
    if isinstance(value, tuple):
        return tuple(_to_wire(v, dtype) for v in value)
    if isinstance(value, dict):
        return {k: _to_wire(v, dtype) for k, v in value.items()}
    return value


class Handle:
    """An object created in the worker (e.g. the user's nn.Module)."""

    def __init__(self, sub: Submission, handle: int, params: dict[str, list[int]]) -> None:
        self.sub = sub
        self.handle = handle
        self.param_shapes = params

    def load(self, state: dict[str, torch.Tensor]) -> None:
        self.sub._request({"op": "load_params", "handle": self.handle, "state": _to_wire(state, self.sub.dtype)})

    def get(self, name: str) -> Any:
        return self.sub._request({"op": "get", "handle": self.handle, "name": name})

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.method("__call__", *args, **kwargs)

    def method(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return self.sub._request(
            {
                "op": "method",
                "handle": self.handle,
                "name": name,
                "args": _to_wire(list(args), self.sub.dtype),
                "kwargs": _to_wire(kwargs, self.sub.dtype),
                "no_grad": True,
            }
        )

    def backward(
        self, name: str, *args: Any, grad_out: torch.Tensor, wrt: tuple[int, ...] = (), **kwargs: Any
    ) -> tuple[torch.Tensor, dict[str, Any]]:
        """Call `name`, back-propagate `grad_out`; returns (output, {"inputs": [...], "params": {...}})."""
        reply = self.sub._request(
            {
                "op": "method",
                "handle": self.handle,
                "name": name,
                "args": _to_wire(list(args), self.sub.dtype),
                "kwargs": _to_wire(kwargs, self.sub.dtype),
                "grad_out": _to_wire(grad_out, self.sub.dtype),
                "wrt": list(wrt),
            }
        )
        return reply["output"], reply["grads"]


class Submission:
    """The user's code as the checks see it: every call goes to the worker and comes back as data."""

    def __init__(self, run: GradingRun, dtype: torch.dtype) -> None:
        self.run = run
        self.dtype = dtype

    def _request(self, message: dict[str, Any]) -> Any:
        if time.monotonic() > self.run.deadline:
            raise SubmissionFailure("timeout", "the total time for all checks ran out")
        self.run.worker.ensure(self.run.deadline)
        return self.run.worker.request(message, self.run.deadline)

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return self._request(
            {
                "op": "call",
                "name": name,
                "args": _to_wire(list(args), self.dtype),
                "kwargs": _to_wire(kwargs, self.dtype),
            }
        )

    def new(self, name: str, *args: Any, **kwargs: Any) -> Handle:
        reply = self._request(
            {
                "op": "new",
                "name": name,
                "args": list(args),
                "kwargs": kwargs,
                "dtype": str(self.dtype).removeprefix("torch."),
            }
        )
        return Handle(self, reply["handle"], reply["params"])


def _fmt_index(index: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(i) for i in index) + "]"


def close(
    actual: Any,
    expected: torch.Tensor,
    case: Case,
    *,
    what: str = "output",
    suspects: dict[str, torch.Tensor] | None = None,
    rtol: float | None = None,
    atol: float | None = None,
) -> None:
    """Assert `actual` matches the float64 `expected`; the failure says where, by how much, and maybe why."""
    rtol = case.rtol if rtol is None else rtol
    atol = case.atol if atol is None else atol
    if not isinstance(actual, torch.Tensor):
        raise AssertionError(f"{what}: expected a tensor of shape {tuple(expected.shape)}, got {type(actual).__name__}")
    if tuple(actual.shape) != tuple(expected.shape):
        raise AssertionError(
            f"{what}: shape {tuple(actual.shape)}, expected {tuple(expected.shape)}"
            + _suspect_hint(actual, suspects, rtol, atol)
        )
    got = actual.detach().to(torch.float64)
    if not torch.isfinite(got).all():
        bad = tuple(int(i) for i in (~torch.isfinite(got)).nonzero()[0])
        raise AssertionError(
            f"{what}: non-finite value {got[bad].item()} at {_fmt_index(bad)} "
            "(overflow in exp? subtract the max first)" + _suspect_hint(actual, suspects, rtol, atol)
        )
    diff = (got - expected).abs()
    allowed = atol + rtol * expected.abs()
    off = diff > allowed
    if not off.any():
        return
    worst = tuple(int(i) for i in torch.unravel_index((diff - allowed).argmax(), diff.shape)) if diff.dim() else ()
    rel = (diff / expected.abs().clamp_min(1e-12)).max().item()
    raise AssertionError(
        f"{what}: {int(off.sum())} of {off.numel()} values differ (shape {tuple(expected.shape)}); "
        f"max abs error {diff.max().item():.3g}, max rel error {rel:.3g}; worst at {_fmt_index(worst)}: "
        f"got {got[worst].item():.6g}, expected {expected[worst].item():.6g} (rtol {rtol:g}, atol {atol:g})"
        + _suspect_hint(actual, suspects, rtol, atol)
    )


def _suspect_hint(actual: torch.Tensor, suspects: dict[str, torch.Tensor] | None, rtol: float, atol: float) -> str:
    for hint, wrong in (suspects or {}).items():
        if tuple(actual.shape) == tuple(wrong.shape) and torch.allclose(
            actual.detach().to(torch.float64), wrong, rtol=rtol * 10, atol=atol * 10
        ):
            return f"\nhint: {hint}"
    return ""


class Plugin:
    """Registered with pytest.main by the judge: provides fixtures and collects one result per check."""

    def __init__(self, run: GradingRun, spec: Any) -> None:
        self.run = run
        self.spec = spec
        self.results: list[dict[str, str]] = []
        self.collected: list[str] = []
        self.interrupted = False

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        if self.run.progress is not None:
            self.run.progress(nodeid.rpartition("::")[2].removeprefix("test_"))

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        self.collected = [item.name.removeprefix("test_") for item in items]

    def pytest_keyboard_interrupt(self, excinfo: Any) -> None:
        # Ctrl-C; pytest.exit() comes here too, and is an early end, not an interruption
        self.interrupted = excinfo.errisinstance(KeyboardInterrupt)

    @pytest.fixture
    def case(self, request: pytest.FixtureRequest) -> Case:
        return Case(self.run.seed, request.node.name, self.run.device, self.run.dtype)

    @pytest.fixture
    def sub(self) -> Submission:
        return Submission(self.run, getattr(torch, self.run.dtype))

    @pytest.fixture
    def device(self) -> str:
        return self.run.device

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        outcome = yield
        report = outcome.get_result()
        if report.when == "call" or (report.when == "setup" and report.failed):
            name = item.name.removeprefix("test_")
            if report.passed:
                self.results.append({"name": name, "status": "pass", "message": "", "hint": ""})
                return
            exc = call.excinfo.value if call.excinfo else None
            if isinstance(exc, SubmissionFailure):
                status, message = exc.status, exc.message
                tail = self.run.worker.output_tail()
                if status == "error" and "File too large" in message:
                    message += "\n(the submission printed more than the output limit)"
                elif tail and status in ("crash", "memory"):
                    message += f"\nlast output: {tail[-300:]}"
            elif isinstance(exc, AssertionError):
                status, message = "fail", str(exc).split("\nassert ")[0]
            else:
                status, message = "error", f"{type(exc).__name__}: {exc}"
            hint = ""
            if "\nhint: " in message:  # a suspect recognised the classic mistake from the output
                message, hint = message.split("\nhint: ", 1)
            levels = list(self.spec.hints.get(name.split("[")[0], ())) if status == "fail" else []
            suspect = hint  # what the output itself shows; the card's hints are given on request
            if not hint and levels:
                hint = levels[0]
            result = {"name": name, "status": status, "message": message, "hint": hint, "hints": levels}
            result["suspect"] = suspect
            self.results.append(result)
