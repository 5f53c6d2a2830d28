# expect-status: timeout
# Half a frame: a header promising 100 bytes, 10 of them, then silence from forward(). The judge must not wait
# for the rest beyond the check's deadline.
import os
import stat
import struct
import time

import torch


def partial_frame():
    for fd in range(3, 16):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                os.write(fd, struct.pack("!I", 100) + b"\0" * 10)
        except OSError:
            continue


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (torch.nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        partial_frame()
        time.sleep(3600)
