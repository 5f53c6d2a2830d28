# expect-status: fail
# The memory limit is an address-space rlimit per process: four children (forked through the sandbox's own
# libc, out of the audit hook's sight) each fill 900 MB, 3.6 GB in all against a 1 GB limit. Now stopped:
# seccomp refuses clone on the CPU, so no child is born and forward() answers, wrongly.
import os
import sys
import time

import torch

libc = sys.modules["llmprep.grading.sandbox"]._libc
ready, told = os.pipe()
children = 0
for _ in range(4):
    pid = libc.fork()
    if pid == 0:
        hoard = b"\1" * (900 << 20)
        os.write(told, b"x")
        time.sleep(30)
        os._exit(0)
    children += pid > 0
held = sum(len(os.read(ready, 1)) for _ in range(children))
print(f"{held} children hold 900 MB each")


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (torch.nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        return q
