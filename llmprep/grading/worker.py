"""The untrusted side: imports the submission and answers the judge's calls. It decides nothing.

Born in the sandbox (see `sandbox`), it receives the submission's source and the card's bans, installs the
runtime bans and an audit hook, then answers requests with values (tensors moved to the CPU) or a failure
kind from `protocol.FAILURE_KINDS` with the submission's own traceback. It never sees a check, a reference,
the seed or an expected value: only inputs. It imports nothing of the judge.
"""

from __future__ import annotations

import os
import sys
import traceback
import types
from typing import Any

SUBMISSION = "submission"
SOURCE_NAME = "submission.py"
# Events that change the filesystem: refused outside the scratch dir (the audit hook is the only write guard
# when namespaces are unavailable; inside them the filesystem is read-only anyway).
PATH_EVENTS = {
    "open": (0,),
    "os.truncate": (0,),
    "os.mkdir": (0,),
    "os.rmdir": (0,),
    "os.remove": (0,),
    "os.rename": (0, 1),
    "os.replace": (0, 1),
    "os.link": (0, 1),
    "os.symlink": (0, 1),
    "os.chmod": (0,),
    "os.chown": (0,),
    "os.utime": (0,),
    "os.chflags": (0,),
    "os.lchflags": (0,),
    "os.lchmod": (0,),
    "os.setxattr": (0,),
    "os.removexattr": (0,),
    "shutil.rmtree": (0,),
    "shutil.copyfile": (1,),
    "shutil.move": (0, 1),
}
REFUSED_EVENTS = {
    "subprocess.Popen",
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "os.forkpty",
    "pty.spawn",
    "socket.__new__",
    "socket.connect",
    "socket.bind",
    "os.kill",  # the judge and the user's other processes are out of reach
    "os.killpg",
    "signal.pthread_kill",
    "ctypes.dlopen",
    "sys.setprofile",
    "sys.settrace",
}


def _install_guard(scratch: str) -> None:
    """Refuse changes to files outside the scratch dir, new processes, sockets and signals. Paths are resolved
    (bytes, symlinks, `..`) and compared by whole components, so `<scratch>-x` is outside."""
    scratch = os.path.realpath(scratch)

    def outside(path: Any) -> bool:
        if isinstance(path, int):  # an fd: opened earlier, itself checked when it was opened
            return False
        try:
            resolved = os.path.realpath(os.fsdecode(path))
        except (TypeError, ValueError):
            return True
        return os.path.commonpath([resolved, scratch]) != scratch

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event in REFUSED_EVENTS:
            raise PermissionError(f"{event} is not allowed in a submission")
        positions = PATH_EVENTS.get(event)
        if positions is None:
            return
        if event == "open":
            mode, flags = args[1], args[2]
            writing = isinstance(mode, str) and any(c in mode for c in "wax+")
            if isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND):
                writing = True
            if not writing:
                return
        for position in positions:
            if position < len(args) and outside(args[position]):
                raise PermissionError(f"{event} outside the scratch dir is not allowed in a submission")

    sys.addaudithook(hook)


def _user_traceback(exc: BaseException, source_file: str) -> str:
    """Only the frames of the submission itself, then the exception line."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == source_file]
    lines = traceback.format_list(frames)
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines).rstrip()


def _status_of(exc: BaseException) -> str:
    if isinstance(exc, MemoryError):
        return "memory"
    text = str(exc)
    if isinstance(exc, RuntimeError) and ("can't allocate memory" in text or "out of memory" in text):
        return "memory"
    return "error"


class Worker:
    def __init__(self, device: str) -> None:
        import torch

        self.torch = torch
        self.device = torch.device(device)
        self.module: types.ModuleType | None = None
        self.source_file = ""
        self.handles: dict[int, Any] = {}

    # -- moving values across the boundary

    def to_device(self, value: Any) -> Any:
        torch = self.torch
        if isinstance(value, torch.Tensor):
            return value.to(self.device)
        if isinstance(value, list):
            return [self.to_device(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self.to_device(v) for v in value)
        if isinstance(value, dict):
            return {k: self.to_device(v) for k, v in value.items()}
        return value

    def to_wire(self, value: Any) -> Any:
        torch = self.torch
        if isinstance(value, torch.Tensor):
            return value.detach().cpu().clone().as_subclass(torch.Tensor)
        if isinstance(value, bool | int | float | str | type(None)):
            return value
        if isinstance(value, list | tuple):
            items = [self.to_wire(v) for v in value]
            return items if isinstance(value, list) else tuple(items)
        if isinstance(value, dict):
            return {str(k): self.to_wire(v) for k, v in value.items()}
        raise TypeError(f"returned a value of type {type(value).__name__}, which llmprep cannot check")

    # -- requests

    def load(self, source: str, scratch: str) -> dict[str, Any]:
        path = os.path.join(scratch, SOURCE_NAME)
        with open(path, "w", encoding="utf-8") as fh:  # so that tracebacks show the user's lines
            fh.write(source)
        self.source_file = path
        module = types.ModuleType(SUBMISSION)
        module.__file__ = path
        sys.modules[SUBMISSION] = module
        exec(compile(source, path, "exec"), module.__dict__)
        self.module = module
        return {"names": [k for k in module.__dict__ if not k.startswith("_")]}

    def lookup(self, name: str) -> Any:
        if self.module is None or not hasattr(self.module, name):
            raise LookupError(f"the submission does not define `{name}`")
        return getattr(self.module, name)

    def handle(self, request: dict[str, Any]) -> Any:
        torch = self.torch
        op = request["op"]
        if op == "call":
            return self.lookup(request["name"])(*self.to_device(request["args"]), **self.to_device(request["kwargs"]))
        if op == "new":
            obj = self.lookup(request["name"])(*request["args"], **request["kwargs"])
            if isinstance(obj, torch.nn.Module):  # parameters in the grading dtype, like the inputs
                obj = obj.to(self.device, getattr(torch, request.get("dtype", "float32")))
            handle = len(self.handles) + 1
            self.handles[handle] = obj
            params = {}
            if isinstance(obj, torch.nn.Module):
                params = {n: list(p.shape) for n, p in obj.named_parameters()}
            return {"handle": handle, "params": params}
        obj = self.handles[request["handle"]]
        if op == "load_params":
            missing = sorted(set(request["state"]) - {n for n, _ in obj.named_parameters()})
            if missing:
                raise LookupError(f"the module has no parameter(s) {', '.join(missing)}")
            with torch.no_grad():
                named = dict(obj.named_parameters())
                for name, value in request["state"].items():
                    if tuple(named[name].shape) != tuple(value.shape):
                        raise ValueError(
                            f"parameter `{name}` has shape {tuple(named[name].shape)}, expected {tuple(value.shape)}"
                        )
                    named[name].copy_(value.to(self.device, named[name].dtype))
            return None
        if op == "get":
            return getattr(obj, request["name"])
        if op == "method":
            result = self.method(obj, request)
            return None if result is obj else result  # train()/eval() return the module itself
        raise ValueError(f"unknown op {op}")

    def method(self, obj: Any, request: dict[str, Any]) -> Any:
        torch = self.torch
        args = list(self.to_device(request["args"]))
        wrt: list[int] = request.get("wrt", [])
        for i in wrt:
            args[i] = args[i].detach().requires_grad_(True)
        fn = obj if request["name"] == "__call__" else getattr(obj, request["name"])
        grad_out = request.get("grad_out")
        if grad_out is None:
            with torch.no_grad() if request.get("no_grad") else _nullcontext():
                return fn(*args, **self.to_device(request["kwargs"]))
        if isinstance(obj, torch.nn.Module):
            obj.zero_grad(set_to_none=True)
        output = fn(*args, **self.to_device(request["kwargs"]))
        if not isinstance(output, torch.Tensor):
            raise TypeError(f"returned {type(output).__name__}, expected a tensor")
        if not output.requires_grad:
            raise RuntimeError("the output does not depend on the inputs through autograd (detached?)")
        # sum(output * grad_out) has exactly grad_out as its gradient wrt output; unlike backward(grad_out) it
        # does not make torch import sympy (≈0.4 s) on the first call
        (output * grad_out.to(self.device, output.dtype)).sum().backward()
        grads = {"inputs": [args[i].grad for i in wrt], "params": {}}
        if isinstance(obj, torch.nn.Module):
            grads["params"] = {n: p.grad for n, p in obj.named_parameters() if p.grad is not None}
        return {"output": output, "grads": grads}


class _nullcontext:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def serve(read_fd: int, write_fd: int, device: str, scratch: str) -> None:
    """Answer requests until the judge closes the pipe. The first request carries the source and the bans."""
    from llmprep.grading import protocol
    from llmprep.grading.tripwires import BannedCall, Tripwires

    send, receive = protocol.send, protocol.receive  # held before the submission can touch the module
    worker = Worker(device)
    worker.torch.set_num_threads(1)
    send(write_fd, {"ok": True, "value": "ready"})
    first = receive(read_fd)
    tripwires = Tripwires(os.path.join(scratch, SOURCE_NAME), first["rules"], first["ops"])
    tripwires.install()
    _install_guard(scratch)
    request: dict[str, Any] | None = first
    while True:
        if request is None:
            try:
                request = receive(read_fd)
            except protocol.ChannelClosed:
                return
        try:
            if request["op"] == "load":
                value = worker.load(request["source"], scratch)
            else:
                value = worker.to_wire(worker.handle(request))
            reply: dict[str, Any] = {"ok": True, "value": value}
        except SystemExit as exc:
            reply = {"ok": False, "status": "error", "message": f"the submission called sys.exit({exc.code})"}
        except BannedCall as exc:
            reply = {"ok": False, "status": "banned", "message": str(exc)}
        except BaseException as exc:
            reply = {"ok": False, "status": _status_of(exc), "message": _user_traceback(exc, worker.source_file)}
        violations = tripwires.report()
        if violations is not None:  # caught by the submission or not, a banned call decides the reply
            reply = {"ok": False, "status": "banned", "message": violations}
        request = None
        try:
            send(write_fd, reply)
        except (TypeError, RuntimeError, ValueError) as exc:
            send(write_fd, {"ok": False, "status": "error", "message": f"could not send the result: {exc}"})
