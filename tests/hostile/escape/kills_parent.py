# expect-status: fail
import contextlib
import os
import signal

import torch

with contextlib.suppress(OSError):
    os.kill(os.getppid(), signal.SIGSTOP)


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (torch.nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        return q
