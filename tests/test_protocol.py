"""The judge/worker protocol: what a worker may send, and what the judge refuses before touching it."""

from __future__ import annotations

import contextlib
import json
import math
import os
import struct
import threading
import time
from collections.abc import Iterator

import pytest
import torch

from llmprep.grading import protocol


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    read, write = os.pipe()
    yield read, write
    for fd in (read, write):
        with contextlib.suppress(OSError):
            os.close(fd)


def _frame(document: object, blobs: tuple[bytes, ...] = ()) -> bytes:
    """A hand-made frame, as a hostile worker could write it."""
    text = json.dumps(document).encode()
    body = struct.pack(f"!I I{len(blobs)}Q", len(blobs), len(text), *(len(b) for b in blobs)) + text + b"".join(blobs)
    return protocol.HEADER.pack(len(body)) + body


def test_values_round_trip_exactly() -> None:
    message = {
        "ok": True,
        "value": {
            "output": torch.randn(2, 3, dtype=torch.float64),
            "grads": {"inputs": [torch.randn(4).to(torch.bfloat16), None], "params": {}},
            "pair": (1, 2.5, "x", True),
            "special": [math.inf, -math.inf],
            "empty": torch.empty(0, 3),
            "scalar": torch.tensor(7, dtype=torch.int64),
            "mask": torch.tensor([True, False]),
            "strided": torch.arange(12.0).view(3, 4).t(),
        },
    }
    decoded = protocol.decode(protocol.encode(message)[protocol.HEADER.size :])
    value = decoded["value"]
    assert torch.equal(value["output"], message["value"]["output"])
    assert value["grads"]["inputs"][0].dtype == torch.bfloat16
    assert torch.equal(value["grads"]["inputs"][0], message["value"]["grads"]["inputs"][0])
    assert value["pair"] == (1, 2.5, "x", True)
    assert value["special"] == [math.inf, -math.inf]
    assert value["empty"].shape == (0, 3)
    assert value["scalar"].item() == 7 and value["scalar"].shape == ()
    assert torch.equal(value["strided"], torch.arange(12.0).view(3, 4).t())
    assert value["strided"].is_contiguous()


def test_nan_survives_the_round_trip() -> None:
    decoded = protocol.decode(protocol.encode([math.nan])[protocol.HEADER.size :])
    assert math.isnan(decoded[0])


@pytest.mark.parametrize(
    "reply",
    [
        {"ok": False, "status": "pass", "message": ""},
        {"ok": False, "status": "PASS", "message": ""},
        {"ok": False, "status": ["error"], "message": ""},
        {"ok": True},
        {"ok": True, "value": 1, "status": "pass"},
        {"ok": 1, "value": 1},
        {"ok": False, "status": "error"},
        {"ok": False, "status": "error", "message": 3},
        ["ok", True],
        "pass",
        None,
    ],
)
def test_only_values_and_failure_kinds_are_accepted(reply: object) -> None:
    with pytest.raises(protocol.ProtocolViolation):
        protocol.reply_status(reply)


def test_failures_of_known_kinds_are_accepted_and_messages_bounded() -> None:
    for kind in protocol.FAILURE_KINDS:
        assert protocol.reply_status({"ok": False, "status": kind, "message": "m" * 10_000}) == (kind, "m" * 4000)
    assert protocol.reply_status({"ok": True, "value": None}) is None


@pytest.mark.parametrize(
    ("document", "blobs"),
    [
        ({"t": ["float32", [10**9], 0]}, (b"\0" * 4,)),  # a stride-0 view: small storage, huge shape
        ({"t": ["float32", [2, 2], 0]}, (b"\0" * 12,)),  # bytes and shape disagree
        ({"t": ["object", [1], 0]}, (b"\0" * 8,)),  # no such dtype
        ({"t": ["float32", [-1], 0]}, (b"",)),
        ({"t": ["float32", [1.5], 0]}, (b"\0" * 4,)),
        ({"t": ["float32", [1], 3]}, (b"\0" * 4,)),  # points at bytes that are not there
        ([{"t": ["uint8", [4], 0]}, {"t": ["uint8", [4], 0]}], (b"\0" * 4,)),  # one blob, many tensors
        ({"z": 1}, ()),
        ({"a": 1, "b": 2}, ()),
        ({"f": "1e999"}, ()),
        ({"d": [[1, 2]]}, ()),
    ],
)
def test_malformed_frames_are_violations(document: object, blobs: tuple[bytes, ...]) -> None:
    with pytest.raises(protocol.ProtocolViolation):
        protocol.decode(_frame(document, blobs)[protocol.HEADER.size :])


def test_nesting_is_bounded() -> None:
    deep: object = 1
    for _ in range(protocol.MAX_DEPTH + 2):
        deep = [deep]
    with pytest.raises(protocol.ProtocolViolation):
        protocol.decode(_frame(deep)[protocol.HEADER.size :])
    with pytest.raises(protocol.ProtocolViolation):
        protocol.decode(protocol.HEADER.pack(0) + b"[" * 100_000)


def test_a_frame_over_the_limit_is_refused_before_it_is_read(pipe: tuple[int, int]) -> None:
    read, write = pipe
    os.write(write, protocol.HEADER.pack(protocol.MAX_FRAME + 1))
    with pytest.raises(protocol.ProtocolViolation, match="over the"):
        protocol.receive(read, time.monotonic() + 5)


def test_a_header_without_its_body_cannot_hang_the_reader(pipe: tuple[int, int]) -> None:
    read, write = pipe
    os.write(write, protocol.HEADER.pack(1000) + b"x" * 10)  # the writer keeps the pipe open and goes quiet
    with pytest.raises(protocol.Deadline):
        protocol.receive(read, time.monotonic() + 0.3)


def test_a_silent_writer_hits_the_deadline_on_the_header_too(pipe: tuple[int, int]) -> None:
    read, write = pipe
    os.write(write, b"\0")  # one byte of the four
    with pytest.raises(protocol.Deadline):
        protocol.receive(read, time.monotonic() + 0.3)


def test_a_closed_channel_is_not_a_message(pipe: tuple[int, int]) -> None:
    read, write = pipe
    os.close(write)
    with pytest.raises(protocol.ChannelClosed):
        protocol.receive(read, time.monotonic() + 5)


def test_a_frame_sent_slowly_in_pieces_still_arrives(pipe: tuple[int, int]) -> None:
    read, write = pipe
    data = protocol.encode({"ok": True, "value": torch.ones(1000)})

    def trickle() -> None:
        for start in range(0, len(data), 1000):
            os.write(write, data[start : start + 1000])
            time.sleep(0.001)

    thread = threading.Thread(target=trickle)
    thread.start()
    reply = protocol.receive(read, time.monotonic() + 30)
    thread.join()
    assert torch.equal(reply["value"], torch.ones(1000))


def test_the_sender_refuses_values_it_cannot_describe() -> None:
    with pytest.raises(TypeError):
        protocol.encode({"value": object()})
    with pytest.raises(ValueError):
        protocol.encode(torch.zeros(protocol.MAX_FRAME // 4 + 1))
