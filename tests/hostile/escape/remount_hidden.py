# expect-status: fail
# Lifts the empty tmpfs off the hidden directories: umount2 on solutions/ and the card dir, then a fresh
# unshare(CLONE_NEWUSER | CLONE_NEWNS) to regain capabilities and umount again; setns into PID 1's mount ns.
import contextlib
import os
import sys

import torch.nn as nn

libc = sys.modules["llmprep.grading.sandbox"]._libc
package = os.path.dirname(sys.modules["llmprep.grading.worker"].__file__)
hidden = [os.path.join(package, "cards"), os.path.abspath(os.path.join(package, "..", "..", "solutions"))]


def lift():
    for path in hidden:
        libc.umount2(path.encode(), 2)  # MNT_DETACH


lift()
libc.unshare(0x10000000 | 0x00020000)
lift()
with contextlib.suppress(OSError):
    fd = os.open("/proc/1/ns/mnt", os.O_RDONLY)
    libc.setns(fd, 0)
    lift()
solution = {}
with contextlib.suppress(OSError), open(os.path.join(hidden[1], "mha.py")) as fh:
    exec(fh.read(), solution)


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        return q


MultiHeadAttention = solution.get("MultiHeadAttention", MultiHeadAttention)
