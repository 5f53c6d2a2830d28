"""The only things that cross the judge/worker boundary: framed, bounded, validated messages with deadlines.

A frame is a 4-byte length and a body: a JSON document, then the raw bytes of the tensors it names. Nothing
is unpickled and no tensor is rebuilt from storage the sender described: each tensor is a dtype from a fixed
list, a shape, and exactly prod(shape) * itemsize bytes, copied into fresh contiguous memory. A frame over
the size limit, a body that does not arrive before its deadline, or a document of the wrong form is a
`ProtocolViolation`. The worker may answer with a value or with a failure kind from `FAILURE_KINDS`; it has no
way to say "pass".

Imported by both sides; it imports nothing else of llmprep.
"""

from __future__ import annotations

import json
import math
import os
import select
import struct
import time
from typing import Any

import torch

MAX_FRAME = 64 << 20  # far above any check's values; a flood is cut off before it is read
MAX_DEPTH = 32
HEADER = struct.Struct("!I")
FAILURE_KINDS = ("error", "crash", "timeout", "memory", "banned")  # what a worker may report instead of a value
DTYPES = {
    str(dtype).removeprefix("torch."): dtype
    for dtype in (
        torch.float64,
        torch.float32,
        torch.float16,
        torch.bfloat16,
        torch.complex64,
        torch.complex128,
        torch.int64,
        torch.int32,
        torch.int16,
        torch.int8,
        torch.uint8,
        torch.bool,
    )
}


class ChannelClosed(Exception):
    """The other side closed the pipe (the worker died or exited)."""


class ProtocolViolation(Exception):
    """A frame that is late, too large or malformed: the sender is not following the protocol."""


class Deadline(ProtocolViolation):
    """Nothing (or not all of a frame) arrived in time."""


# -- encoding


def _pack(value: Any, blobs: list[bytes], depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        raise ValueError("the value is nested too deeply")
    if isinstance(value, torch.Tensor):
        tensor = value.detach().to("cpu").contiguous()
        name = str(tensor.dtype).removeprefix("torch.")
        if name not in DTYPES:
            raise TypeError(f"tensors of dtype {name} cannot be checked")
        blobs.append(tensor.reshape(-1).view(torch.uint8).numpy().tobytes() if tensor.numel() else b"")
        return {"t": [name, list(tensor.shape), len(blobs) - 1]}
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return {"f": repr(value)} if not math.isfinite(value) else value
    if isinstance(value, list):
        return [_pack(v, blobs, depth + 1) for v in value]
    if isinstance(value, tuple):
        return {"u": [_pack(v, blobs, depth + 1) for v in value]}
    if isinstance(value, dict):
        return {"d": [[str(k), _pack(v, blobs, depth + 1)] for k, v in value.items()]}
    raise TypeError(f"a value of type {type(value).__name__} cannot be checked")


def encode(message: Any) -> bytes:
    blobs: list[bytes] = []
    document = json.dumps(_pack(message, blobs), allow_nan=False, separators=(",", ":")).encode()
    sizes = struct.pack(f"!I{len(blobs)}Q", len(document), *(len(b) for b in blobs))
    body = struct.pack("!I", len(blobs)) + sizes + document + b"".join(blobs)
    if len(body) > MAX_FRAME:
        raise ValueError(f"the message is {len(body)} bytes, over the {MAX_FRAME}-byte limit")
    return HEADER.pack(len(body)) + body


# -- decoding (every field is checked: the worker's frames are hostile input)


def _unpack(node: Any, blobs: list[memoryview | None], depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        raise ProtocolViolation("nested too deeply")
    if node is None or isinstance(node, bool | int | float | str):
        return node
    if isinstance(node, list):
        return [_unpack(v, blobs, depth + 1) for v in node]
    if not isinstance(node, dict) or len(node) != 1:
        raise ProtocolViolation("a node of unknown form")
    ((kind, body),) = node.items()
    if kind == "t":
        return _tensor(body, blobs)
    if kind == "f" and body in ("inf", "-inf", "nan"):
        return float(body)
    if kind == "u" and isinstance(body, list):
        return tuple(_unpack(v, blobs, depth + 1) for v in body)
    if kind == "d" and isinstance(body, list):
        items = {}
        for pair in body:
            if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
                raise ProtocolViolation("a malformed mapping")
            items[pair[0]] = _unpack(pair[1], blobs, depth + 1)
        return items
    raise ProtocolViolation(f"a node of unknown kind {kind!r}")


def _tensor(body: Any, blobs: list[memoryview | None]) -> torch.Tensor:
    if not (isinstance(body, list) and len(body) == 3):
        raise ProtocolViolation("a malformed tensor")
    name, shape, index = body
    dtype = DTYPES.get(name) if isinstance(name, str) else None
    if dtype is None:
        raise ProtocolViolation(f"a tensor of dtype {name!r}")
    if not (isinstance(shape, list) and len(shape) <= 16 and all(type(n) is int and n >= 0 for n in shape)):
        raise ProtocolViolation(f"a tensor of shape {shape!r}")
    if not (type(index) is int and 0 <= index < len(blobs)):
        raise ProtocolViolation("a tensor without its bytes")
    if blobs[index] is None:  # each blob backs one tensor: a frame cannot make the judge copy it many times
        raise ProtocolViolation("two tensors share the same bytes")
    data = blobs[index]
    blobs[index] = None
    itemsize = torch.empty((), dtype=dtype).element_size()
    if len(data) != math.prod(shape) * itemsize:
        raise ProtocolViolation(f"a tensor of shape {shape} whose bytes do not match it")
    if not len(data):
        return torch.empty(shape, dtype=dtype)
    return torch.frombuffer(bytearray(data), dtype=dtype).reshape(shape)


def decode(body: bytes) -> Any:
    try:
        view = memoryview(body)
        (count,) = struct.unpack_from("!I", view)
        if count > 4096:
            raise ProtocolViolation("too many tensors")
        sizes = struct.unpack_from(f"!I{count}Q", view, 4)
        start = 4 + struct.calcsize(f"!I{count}Q")
        document_end = start + sizes[0]
        if document_end + sum(sizes[1:]) != len(view):
            raise ProtocolViolation("the frame's parts do not add up to its length")
        blobs: list[memoryview | None] = []
        offset = document_end
        for size in sizes[1:]:
            blobs.append(view[offset : offset + size])
            offset += size
        return _unpack(json.loads(bytes(view[start:document_end])), blobs)
    except ProtocolViolation:
        raise
    except (struct.error, ValueError, RecursionError, UnicodeDecodeError) as exc:
        raise ProtocolViolation(f"an unreadable frame ({type(exc).__name__})") from None


# -- framing


def send(fd: int, message: Any, deadline: float | None = None) -> None:
    """Write one message; with a `deadline` the write cannot block past it (a reader that stops reading)."""
    data = memoryview(encode(message))
    if deadline is not None:
        os.set_blocking(fd, False)
    while data:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([], [fd], [], left)[1]:
                raise Deadline(f"{len(data)} bytes could not be written before the deadline")
        try:
            written = os.write(fd, data)
        except BlockingIOError:
            continue
        data = data[written:]


def _read_exact(fd: int, size: int, deadline: float | None) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise Deadline(f"{len(chunks)} of {size} bytes arrived before the deadline")
        chunk = os.read(fd, min(size - len(chunks), 1 << 20))
        if not chunk:
            raise ChannelClosed
        chunks += chunk
    return bytes(chunks)


def receive(fd: int, deadline: float | None = None) -> Any:
    """One message; `deadline` (a `time.monotonic()` value) bounds the header and the body alike."""
    (size,) = HEADER.unpack(_read_exact(fd, HEADER.size, deadline))
    if size > MAX_FRAME:
        raise ProtocolViolation(f"a frame of {size} bytes, over the {MAX_FRAME}-byte limit")
    return decode(_read_exact(fd, size, deadline))


def reply_status(reply: Any) -> tuple[str, str] | None:
    """Validate a worker's reply: None for a value, (kind, message) for a failure it reports.

    A reply is `{"ok": True, "value": ...}` or `{"ok": False, "status": KIND, "message": str}`; anything else
    (a status outside FAILURE_KINDS such as "pass", extra keys, wrong types) is a violation.
    """
    if isinstance(reply, dict) and reply.get("ok") is True and set(reply) == {"ok", "value"}:
        return None
    if (
        isinstance(reply, dict)
        and reply.get("ok") is False
        and set(reply) == {"ok", "status", "message"}
        and reply["status"] in FAILURE_KINDS
        and isinstance(reply["message"], str)
    ):
        return reply["status"], reply["message"][:4000]
    raise ProtocolViolation("a reply of the wrong form")
