# expect-status: fail
# Fills the scratch dir (and /dev/shm) with 10 GB in 16 MB blocks: the writes must fail quickly (the tmpfs is
# small) and the error, swallowed, must leave only a failing submission.
import contextlib
import os

import torch

block = b"\0" * (16 << 20)
for folder in (os.getcwd(), "/dev/shm"):
    with contextlib.suppress(OSError), open(os.path.join(folder, "fill.bin"), "wb") as fh:
        for _ in range(640):
            fh.write(block)


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (torch.nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        return v
