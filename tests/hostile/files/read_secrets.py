# expect-status: fail
# Reads the user's secrets (~/.ssh, /etc/shadow, shell history) and prints them: whatever it may read, nothing of
# it may turn into a pass.
import contextlib
import glob
import os

import torch

for path in ["/etc/shadow", *glob.glob(os.path.expanduser("~/.ssh/*")), os.path.expanduser("~/.bash_history")]:
    with contextlib.suppress(OSError), open(path) as fh:
        print(path, fh.read()[:200])


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (torch.nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        return v
