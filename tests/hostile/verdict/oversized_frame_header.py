# expect-status: error
# Writes a frame header claiming 2 GB straight to the reply pipe, then nothing: the judge must refuse the size
# at once rather than try to read (or allocate) it.
import os
import stat
import struct

import torch

for fd in range(3, 16):
    try:
        if stat.S_ISFIFO(os.fstat(fd).st_mode):
            os.write(fd, struct.pack("!I", 2**31))
    except OSError:
        continue


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (torch.nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        return torch.zeros_like(q)
