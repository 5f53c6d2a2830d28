# expect-status: fail
# kill() through ctypes, skipping os.kill's audit event: a fresh CDLL(None), and the CDLL the sandbox module
# already loaded (no dlopen needed). SIGINT to the parent, then kill(-1, SIGKILL): every process it may signal.
import contextlib
import ctypes
import os
import signal
import sys

import torch

libs = [getattr(sys.modules.get("llmprep.grading.sandbox"), "_libc", None)]
with contextlib.suppress(OSError):
    libs.append(ctypes.CDLL(None))
for libc in filter(None, libs):
    libc.kill(os.getppid(), signal.SIGINT)
    libc.syscall(62, os.getppid(), signal.SIGSTOP)  # kill(2) by number (x86_64)
    libc.kill(-1, signal.SIGKILL)


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (torch.nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        return k
