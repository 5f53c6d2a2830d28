# expect-status: fail
# A guarded fork bomb: os.fork (refused by the audit hook), then fork() through the libc the sandbox module
# already loaded, which no audit hook sees: 400 sleeping children, more than the worker's process limit allows
# a normal user. Each failure is swallowed; the children must die with the worker.
import contextlib
import os
import sys
import time

import torch

with contextlib.suppress(Exception):
    os.fork()
libc = sys.modules["llmprep.grading.sandbox"]._libc
born = 0
for _ in range(400):
    pid = libc.fork()
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    born += pid > 0
print(f"forked {born} of 400 children")


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (torch.nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        return q
