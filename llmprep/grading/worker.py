"""The untrusted side: imports the submission and answers the judge's calls. It decides nothing.

Started by the judge as `python -m llmprep.grading.worker READ_FD WRITE_FD DEVICE` in its own process
group, under resource limits, with stdout/stderr going to a size-limited file. Replies carry values
(tensors moved to the CPU) or the submission's own traceback.
"""

from __future__ import annotations

import os
import sys
import traceback
import types
from typing import Any

SUBMISSION = "submission"


def _install_guard(workdir: str) -> None:
    """Refuse file writes outside the scratch dir, subprocesses and sockets (audit hooks cannot be removed)."""

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "open":
            path, mode = args[0], args[1]
            writing = isinstance(mode, str) and any(c in mode for c in "wax+")
            if isinstance(args[2], int) and args[2] & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                writing = True
            if writing and isinstance(path, str) and not os.path.abspath(path).startswith(workdir):
                raise PermissionError(f"writing files is not allowed in a submission ({path})")
        elif event in (
            "subprocess.Popen",
            "os.system",
            "os.exec",
            "os.posix_spawn",
            "os.fork",
            "socket.connect",
            "socket.bind",
            "os.remove",
            "os.rename",
            "shutil.rmtree",
            "os.kill",  # the judge and the user's other processes are out of reach
            "os.killpg",
            "signal.pthread_kill",
        ):
            raise PermissionError(f"{event} is not allowed in a submission")

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

    def load(self, path: str) -> dict[str, Any]:
        self.source_file = path
        with open(path, encoding="utf-8") as fh:
            source = fh.read()
        module = types.ModuleType(SUBMISSION)
        module.__file__ = path
        sys.modules[SUBMISSION] = module
        exec(compile(source, path, "exec"), module.__dict__)
        self.module = module
        return {"names": sorted(k for k in module.__dict__ if not k.startswith("_"))}

    def lookup(self, name: str) -> Any:
        if self.module is None or not hasattr(self.module, name):
            raise LookupError(f"the submission does not define `{name}`")
        return getattr(self.module, name)

    def handle(self, request: dict[str, Any]) -> Any:
        torch = self.torch
        op = request["op"]
        if op == "load":
            return self.load(request["path"])
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
        output.backward(grad_out.to(self.device, output.dtype))
        grads = {"inputs": [args[i].grad for i in wrt], "params": {}}
        if isinstance(obj, torch.nn.Module):
            grads["params"] = {n: p.grad for n, p in obj.named_parameters() if p.grad is not None}
        return {"output": output, "grads": grads}


class _nullcontext:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def serve(read_fd: int, write_fd: int, device: str, workdir: str) -> None:
    """Answer requests until the judge closes the pipe."""
    from llmprep.grading import protocol

    send, receive = protocol.send, protocol.receive  # held before the submission can touch the module
    worker = Worker(device)
    worker.torch.set_num_threads(1)
    send(write_fd, {"ready": True})
    _install_guard(os.path.realpath(workdir))
    while True:
        try:
            request = receive(read_fd)
        except protocol.ChannelClosed:
            return
        try:
            value = worker.to_wire(worker.handle(request))
            reply: dict[str, Any] = {"ok": True, "value": value}
        except SystemExit as exc:
            reply = {"ok": False, "status": "error", "message": f"the submission called sys.exit({exc.code})"}
        except BaseException as exc:
            reply = {"ok": False, "status": _status_of(exc), "message": _user_traceback(exc, worker.source_file)}
        try:
            send(write_fd, reply)
        except (TypeError, RuntimeError, ValueError) as exc:
            send(write_fd, {"ok": False, "status": "error", "message": f"could not send the result: {exc}"})


def main() -> None:
    serve(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4])


if __name__ == "__main__":
    main()
