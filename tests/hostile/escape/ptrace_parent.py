# expect-status: fail
# ptrace(PTRACE_ATTACH) and process_vm_readv on the parent (and PID 1) through ctypes: reading the judge's
# memory would reveal the reference.
import contextlib
import ctypes
import os
import sys

import torch

libc = sys.modules["llmprep.grading.sandbox"]._libc
buffer = ctypes.create_string_buffer(4096)


class IoVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


local = IoVec(ctypes.cast(buffer, ctypes.c_void_p), 4096)
remote = IoVec(0x400000, 4096)
for pid in {os.getppid(), 1}:
    with contextlib.suppress(Exception):
        libc.ptrace(16, pid, None, None)  # PTRACE_ATTACH
        libc.syscall(310, pid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)  # process_vm_readv, x86_64


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (torch.nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        return k
