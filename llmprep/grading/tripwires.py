"""Runtime bans, installed in the worker before the submission is imported: a banned computation reached by
any route (an alias, `getattr` with a built string, `vars(F)`, `importlib`, `exec`, `torch.ops.aten`,
`torch._C._nn`, a composite such as `F.softmin`, a library that sorts for you) is recorded with the
submission's line.

Layers, each only for what the card bans:
- a `TorchDispatchMode` over the card's aten ops (`aten._softmax`, `aten.sort`, ...): every torch route ends
  there, once composites are decomposed;
- the card's composite ops (decomposed before the dispatch mode sees them, such as the math kernel of
  attention) replaced under `torch.ops.aten` by tripwires;
- a `TorchFunctionMode` over the torch callables the card's rules name, for a message in the user's terms;
- Python callables: banned builtins and the functions of banned modules (`heapq` and its C accelerator
  `_heapq`, `numpy.partition`) replaced by tripwires, and a profile hook that sees every call of a builtin
  function from Python code (`list.sort`, or the real `sorted` if the submission digs it up).

The worker calls nothing banned itself, so every banned call while it runs comes from the submission or from a
library it called (`statistics.median` sorts): all of them count. A violation is sticky: once recorded, every
later reply of this worker is `banned`, even if the submission caught the exception. If the submission takes
the torch modes off their stacks, `intact()` notices at the end of the request. The worker runs without
threads on the CPU (seccomp), and torch's mode stacks are per thread: a CUDA worker, whose driver needs
threads, is the one place a thread could run torch without the modes.

This runs in the submission's own interpreter: a submission that tampers with the interpreter itself (pops a
mode, calls the banned op and pushes the mode back; native code) can get around it. The AST scan flags the
usual routes, and the README says so. Imported only by the worker; it imports nothing of the judge.
"""

from __future__ import annotations

import builtins
import contextlib
import importlib
import sys
import types
from collections.abc import Callable
from typing import Any


class BannedCall(RuntimeError):
    """Raised where a banned computation was reached; the worker reports `banned`."""


def _line_of(source_file: str) -> str:
    frame: types.FrameType | None = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_filename == source_file:
            return f"line {frame.f_lineno}: "
        frame = frame.f_back
    return ""


class Tripwires:
    def __init__(self, source_file: str, rules: list[str], ops: list[str]) -> None:
        self.source_file = source_file
        self.rules = rules
        self.ops = ops
        self.violations: list[str] = []
        self.modes: list[Any] = []
        self.originals: set[Any] = set()

    def trip(self, what: str) -> BannedCall:
        message = f"{_line_of(self.source_file)}`{what}` is not allowed on this card: write it by hand"
        if message not in self.violations:
            self.violations.append(message)
        return BannedCall(message)

    def report(self) -> str | None:
        if not self.intact():
            self.trip("removing llmprep's runtime checks")
        return "\n".join(self.violations) if self.violations else None

    def intact(self) -> bool:
        """Whether the torch modes are still on their stacks (a submission may pop them)."""
        if not self.modes:
            return True
        from torch.overrides import _get_current_function_mode_stack
        from torch.utils._python_dispatch import _get_current_dispatch_mode_stack

        stacks = [*_get_current_function_mode_stack(), *_get_current_dispatch_mode_stack()]
        return all(any(mode is entry for entry in stacks) for mode in self.modes)

    # -- installing

    def install(self) -> None:
        import torch

        self._torch_modes(torch)
        watched: set[Any] = set()
        for entry in self.ops:
            if entry.startswith("module:"):
                watched |= self._wrap_module(entry.removeprefix("module:"))
            elif entry.startswith("aten."):
                self._wrap_packet(torch, entry.removeprefix("aten."))
        for rule in self.rules:
            if rule.startswith("import:"):
                watched |= self._wrap_module(rule.removeprefix("import:"))
            elif "." not in rule and hasattr(builtins, rule):
                watched.add(getattr(builtins, rule))
                setattr(builtins, rule, self._tripwire(rule))
            elif "." in rule and not rule.startswith((".", "torch.")):
                watched |= self._wrap_path(rule)
        methods = {rule[1:] for rule in self.rules if rule.startswith(".")} & {"sort"}
        if watched or methods:
            self._watch_calls(watched, methods)

    def _tripwire(self, what: str) -> Callable[..., Any]:
        """A stand-in that holds no reference to the original (no `__wrapped__`, no closure over it)."""
        trip = self.trip

        def banned(*args: Any, **kwargs: Any) -> Any:
            raise trip(what)

        banned.__name__ = banned.__qualname__ = what.rsplit(".", 1)[-1]
        return banned

    def _wrap_module(self, name: str) -> set[Any]:
        """Every function of the module, its submodules and its C accelerator (`_heapq` for `heapq`) trips;
        so does creating an instance of one of its classes. Returns the originals, for the profile hook."""
        names = [name] if "." in name else [name, "_" + name]
        for module_name in names:
            with contextlib.suppress(ImportError):
                importlib.import_module(module_name)
        originals: set[Any] = set()
        for module_name, module in list(sys.modules.items()):
            if module is None or not any(module_name == n or module_name.startswith(n + ".") for n in names):
                continue
            for attr, value in list(vars(module).items()):
                if attr.startswith("__"):
                    continue
                if isinstance(value, type):
                    if value.__module__.startswith(name) and "__init__" in vars(value):
                        value.__init__ = self._tripwire(f"{module_name}.{attr}")  # type: ignore[misc]
                elif callable(value) and not isinstance(value, types.ModuleType):
                    with contextlib.suppress(TypeError):
                        originals.add(value)
                    setattr(module, attr, self._tripwire(f"{module_name}.{attr}"))
        return originals

    def _wrap_path(self, rule: str) -> set[Any]:
        """A dotted rule outside torch (`numpy.partition`): the attribute itself becomes a tripwire."""
        module_name, _, attr = rule.rpartition(".")
        try:
            parent = importlib.import_module(module_name)
        except ImportError:
            return set()
        original = getattr(parent, attr, None)
        if original is None or isinstance(original, type | types.ModuleType):
            return set()
        setattr(parent, attr, self._tripwire(rule))
        try:
            return {original}
        except TypeError:
            return set()

    def _wrap_packet(self, torch: Any, name: str) -> None:
        """`torch.ops.aten.NAME` (and its overloads) trip: composite ops decompose before the dispatch mode."""
        if getattr(torch.ops.aten, name, None) is None:
            return
        trip = self.trip
        what = f"torch.ops.aten.{name}"

        class Packet:
            def __call__(self, *args: Any, **kwargs: Any) -> Any:
                raise trip(what)

            def __getattr__(self, overload: str) -> Any:
                return self

        setattr(torch.ops.aten, name, Packet())
        for home in (torch, torch._C._VariableFunctions):  # torch.X and where torch.X comes from
            direct = getattr(home, name, None)
            if direct is not None and callable(direct):
                with contextlib.suppress(AttributeError, TypeError):
                    setattr(home, name, self._tripwire(f"torch.{name}"))

    def _watch_calls(self, originals: set[Any], methods: set[str]) -> None:
        """Every call of a builtin function from Python code: a banned one trips even when reached through a
        reference the submission kept or dug up (the real `sorted`, `list.sort` by `getattr`)."""
        trip = self.trip
        self.originals = originals  # kept alive: an id is only unique while its object lives
        banned_ids = {id(fn) for fn in originals}
        names = {getattr(fn, "__name__", "") for fn in originals}

        def profile(frame: types.FrameType, event: str, arg: Any) -> None:
            if event != "c_call":
                return
            name = getattr(arg, "__name__", "")
            if name in methods and type(getattr(arg, "__self__", None)) is list:
                raise trip(f"list.{name}")
            if name in names and id(arg) in banned_ids:
                raise trip(getattr(arg, "__qualname__", name))

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
            if not op.startswith("aten."):
                continue
            packet = getattr(torch.ops.aten, op.removeprefix("aten."), None)
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
