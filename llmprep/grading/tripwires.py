"""Runtime bans, installed in the worker before the submission is imported: a banned computation reached by
any route (an alias, `getattr` with a built string, `vars(F)`, `importlib`, `exec`, `torch.ops.aten`,
`torch._C._nn`, a composite such as `F.softmin`) is recorded with the submission's line.

Three layers, each only for what the card bans:
- a `TorchDispatchMode` over the card's aten ops (`aten._softmax`, `aten.sort`, ...): every torch route ends
  there, after composites are decomposed;
- a `TorchFunctionMode` over the torch callables the card's rules name, for a message in the user's terms;
- tripwires on Python callables: banned builtins replaced by recording wrappers, the functions of banned
  modules (and their C accelerators, `heapq`/`_heapq`) wrapped, and `list.sort` watched through a profile hook.

A violation is sticky: once recorded, every later reply of this worker is `banned`, even if the submission
caught the exception. Like everything in the worker this runs in the submission's own interpreter, so a
submission that tampers with the interpreter itself (pops torch's mode stacks, uses ctypes) can get around it;
the AST scan flags those routes, and the README says so.

Imported only by the worker; it imports nothing of the judge.
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import importlib
import sys
import types
from collections.abc import Callable
from typing import Any


class BannedCall(RuntimeError):
    """Raised where a banned computation was reached; the worker reports `banned`."""


class Tripwires:
    def __init__(self, source_file: str, rules: list[str], ops: list[str]) -> None:
        self.source_file = source_file
        self.rules = rules
        self.ops = ops
        self.violations: list[str] = []
        self.modes: list[Any] = []

    # -- recording

    def _line(self) -> str:
        frame: types.FrameType | None = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_filename == self.source_file:
                return f"line {frame.f_lineno}: "
            frame = frame.f_back
        return ""

    def trip(self, what: str) -> BannedCall:
        message = f"{self._line()}`{what}` is not allowed on this card: write it by hand"
        if message not in self.violations:
            self.violations.append(message)
        return BannedCall(message)

    def from_submission(self, frame: types.FrameType | None) -> bool:
        """Whether a call comes from the submission (or code it made) rather than from a library module.

        A library module's frame runs in that module's own namespace; the submission's code, and anything it
        `exec`s, does not."""
        if frame is None:
            return True
        if frame.f_code.co_filename == self.source_file:
            return True
        module = sys.modules.get(frame.f_globals.get("__name__", ""))
        return module is None or vars(module) is not frame.f_globals or module.__name__ == "submission"

    def report(self) -> str | None:
        return "\n".join(self.violations) if self.violations else None

    # -- installing

    def install(self) -> None:
        import torch

        self._torch_modes(torch)
        for entry in self.ops:
            if entry.startswith("module:"):
                self._wrap_module(entry.removeprefix("module:"))
        for rule in self.rules:
            if rule.startswith("import:"):
                self._wrap_module(rule.removeprefix("import:"))
            elif "." not in rule and hasattr(builtins, rule):
                setattr(builtins, rule, self._wrapped(getattr(builtins, rule), rule))
        if ".sort" in self.rules:
            self._watch_list_sort()

    def _wrapped(self, fn: Callable[..., Any], what: str) -> Callable[..., Any]:
        trip, from_submission = self.trip, self.from_submission

        @functools.wraps(fn)
        def banned(*args: Any, **kwargs: Any) -> Any:
            if from_submission(sys._getframe(1)):
                raise trip(what)
            return fn(*args, **kwargs)

        return banned

    def _wrap_module(self, name: str) -> None:
        """Every function of the module, its submodules and its C accelerator (`_heapq` for `heapq`) trips;
        so does creating an instance of one of its classes."""
        names = [name] if "." in name else [name, "_" + name]
        for module_name in names:
            with contextlib.suppress(ImportError):
                importlib.import_module(module_name)
        for module_name, module in list(sys.modules.items()):
            if module is None or not any(module_name == n or module_name.startswith(n + ".") for n in names):
                continue
            for attr, value in list(vars(module).items()):
                if attr.startswith("__"):
                    continue
                if isinstance(value, type):
                    if value.__module__.startswith(name) and "__init__" in vars(value):
                        value.__init__ = self._wrapped(value.__init__, f"{module_name}.{attr}")  # type: ignore[misc]
                elif callable(value) and not isinstance(value, types.ModuleType):
                    setattr(module, attr, self._wrapped(value, f"{module_name}.{attr}"))

    def _watch_list_sort(self) -> None:
        trip, from_submission = self.trip, self.from_submission

        def profile(frame: types.FrameType, event: str, arg: Any) -> None:
            if (
                event == "c_call"
                and getattr(arg, "__name__", "") == "sort"
                and type(getattr(arg, "__self__", None)) is list
                and from_submission(frame)
            ):
                raise trip("list.sort")

        sys.setprofile(profile)

    def _torch_modes(self, torch: Any) -> None:
        from torch.overrides import TorchFunctionMode
        from torch.utils._python_dispatch import TorchDispatchMode

        banned_functions = {}
        for rule in self.rules:
            target = _resolve(rule, torch)
            if target is not None:
                banned_functions[target] = rule.lstrip(".")
        banned_ops = set()
        for op in self.ops:
            if op.startswith("module:"):
                continue
            namespace, _, name = op.partition(".")
            packet = getattr(getattr(torch.ops, namespace, None), name, None)
            if packet is not None:
                banned_ops.add(packet)
        trip = self.trip

        class FunctionBans(TorchFunctionMode):
            def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
                what = banned_functions.get(func)
                if what is not None:
                    raise trip(what)
                return func(*args, **(kwargs or {}))

        class DispatchBans(TorchDispatchMode):
            @classmethod
            def _should_skip_dynamo(cls) -> bool:
                return False  # otherwise torch wraps the handler in a dynamo guard that imports dynamo (≈1.5 s)

            def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
                if func.overloadpacket in banned_ops:
                    raise trip(f"torch.ops.{func.overloadpacket}")
                return func(*args, **(kwargs or {}))

        if banned_functions:
            self.modes.append(FunctionBans())
        if banned_ops:
            self.modes.append(DispatchBans())
        for mode in self.modes:
            mode.__enter__()


def _resolve(rule: str, torch: Any) -> Any:
    """The torch callable a rule names (`torch.nn.functional.softmax`, `.softmax` as a Tensor method)."""
    if rule.startswith("."):
        target = getattr(torch.Tensor, rule[1:], None)
    elif rule.startswith("torch."):
        target = torch
        for part in rule.split(".")[1:]:
            target = getattr(target, part, None)
            if target is None:
                return None
    else:
        return None
    if isinstance(target, type | types.ModuleType) or not callable(target):
        return None
    try:
        hash(target)
    except TypeError:
        return None
    return target
