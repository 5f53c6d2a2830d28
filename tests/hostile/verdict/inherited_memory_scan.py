# expect-status: fail
# The worker is a fork of the judge: whatever the judge's process read before forking its zygote (file contents
# in freed heap blocks) is still in the worker's memory. Scan its own writable mappings for the reference
# solution and use it.
import contextlib
import os
import re

import torch
import torch.nn as nn

START = b"class MultiHeadAttention(nn.Module):\n    def __init__(self, d_model: int, num_heads: int):"
END = b"return self.wo(context)\n"
found = None
with open("/proc/self/maps") as maps:
    regions = [line.split() for line in maps if " rw-p " in line]
mem = os.open("/proc/self/mem", os.O_RDONLY)
for fields in regions:
    start, end = (int(x, 16) for x in fields[0].split("-"))
    for offset in range(start, end, 32 << 20):
        with contextlib.suppress(OSError, OverflowError):
            chunk = os.pread(mem, min(32 << 20, end - offset), offset)
            match = re.search(re.escape(START) + b".{0,3000}?" + re.escape(END), chunk, re.S)
            if match and found is None:
                found = match.group()
os.close(mem)
scope = {}
if found is not None:
    exec("import math\nimport torch\nimport torch.nn as nn\n" + found.decode("utf-8", "replace"), scope)


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        return torch.zeros_like(q)


MultiHeadAttention = scope.get("MultiHeadAttention", MultiHeadAttention)
