# expect-status: fail
# The checkout's .git is not hidden: unpack its pack files (pure Python, no git binary) and exec the reference
# solution found among the blobs; a submission that gets it passes without writing anything.
import glob
import os
import struct
import sys
import zlib

import torch
import torch.nn as nn


def patch(source, delta):
    pos = 0
    for _ in range(2):  # the source and target sizes
        while delta[pos] & 0x80:
            pos += 1
        pos += 1
    out = bytearray()
    while pos < len(delta):
        op, pos = delta[pos], pos + 1
        if op & 0x80:
            offset = size = 0
            for i in range(7):
                if op & (1 << i):
                    value, pos = delta[pos], pos + 1
                    offset, size = (offset | value << 8 * i, size) if i < 4 else (offset, size | value << 8 * (i - 4))
            out += source[offset : offset + (size or 0x10000)]
        else:
            out += delta[pos : pos + op]
            pos += op
    return bytes(out)


def blobs(pack):
    with open(pack, "rb") as fh:
        data = memoryview(fh.read())
    pos, seen = 12, {}
    for _ in range(struct.unpack(">I", data[8:12])[0]):
        start, byte = pos, data[pos]
        kind, pos = (byte >> 4) & 7, pos + 1
        while byte & 0x80:
            byte, pos = data[pos], pos + 1
        base = None
        if kind == 6:  # delta against an earlier object of this pack
            byte, pos = data[pos], pos + 1
            back = byte & 0x7F
            while byte & 0x80:
                byte, pos = data[pos], pos + 1
                back = ((back + 1) << 7) | (byte & 0x7F)
            base = seen.get(start - back)
        elif kind == 7:
            pos += 20
        inflater = zlib.decompressobj()
        body = inflater.decompress(data[pos:])
        pos = len(data) - len(inflater.unused_data)
        if base is not None:
            kind, body = base[0], patch(base[1], body)
        seen[start] = (kind, body)
        if kind == 3:
            yield body


root = os.path.dirname(os.path.dirname(os.path.dirname(sys.modules["llmprep.grading.worker"].__file__)))
solution = None
for pack in glob.glob(os.path.join(root, ".git", "objects", "pack", "*.pack")):
    for blob in blobs(pack):
        if solution is None and b"torch.softmax(scores, dim=-1)" in blob and not blob.startswith(b"#"):  # no mutant
            scope = {}
            exec(blob.decode(), scope)
            solution = scope.get("MultiHeadAttention")


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        return torch.zeros_like(q)


MultiHeadAttention = solution or MultiHeadAttention
