"""Messages between judge and worker: a 4-byte length, then a `torch.save` payload.

The judge reads worker replies with `torch.load(weights_only=True)`, which only rebuilds tensors and plain
containers: a hostile submission cannot make the judge run code by crafting a reply.
"""

from __future__ import annotations

import io
import os
import struct
from typing import Any

import torch

MAX_MESSAGE = 512 * 1024 * 1024
HEADER = struct.Struct("!I")


class ChannelClosed(Exception):
    """The other side closed the pipe (the worker died or exited)."""


def encode(message: Any) -> bytes:
    buffer = io.BytesIO()
    torch.save(message, buffer)
    payload = buffer.getvalue()
    return HEADER.pack(len(payload)) + payload


def decode(payload: bytes) -> Any:
    return torch.load(io.BytesIO(payload), weights_only=True, map_location="cpu")


def send(fd: int, message: Any) -> None:
    data = memoryview(encode(message))
    while data:
        written = os.write(fd, data)
        data = data[written:]


def read_exact(fd: int, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = os.read(fd, min(size - len(chunks), 1 << 20))
        if not chunk:
            raise ChannelClosed
        chunks += chunk
    return bytes(chunks)


def receive(fd: int) -> Any:
    (size,) = HEADER.unpack(read_exact(fd, HEADER.size))
    if size > MAX_MESSAGE:
        raise ValueError(f"message of {size} bytes is over the limit")
    return decode(read_exact(fd, size))
