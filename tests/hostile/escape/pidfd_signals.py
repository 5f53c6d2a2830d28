# expect-status: fail
# pidfd_send_signal at the parent, at PID 1 and at every PID in /proc: SIGINT, SIGSTOP, SIGKILL.
import contextlib
import os
import signal

import torch

targets = {os.getppid(), 1} | {int(p) for p in os.listdir("/proc") if p.isdigit()}
for pid in targets - {os.getpid(), 0}:
    for sig in (signal.SIGINT, signal.SIGSTOP, signal.SIGKILL):
        with contextlib.suppress(OSError, ValueError):
            fd = os.pidfd_open(pid)
            signal.pidfd_send_signal(fd, sig)


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (torch.nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        return k
