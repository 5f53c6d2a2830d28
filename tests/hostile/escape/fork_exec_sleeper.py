# expect-status: fail
# _posixsubprocess.fork_exec is what subprocess uses underneath, without subprocess's audit event: start
# `sleep 60` in a new session (setsid; refused by seccomp), then in the same session, and leave it running.
import _posixsubprocess
import contextlib
import os

import torch


def spawn(new_session):
    err_read, err_write = os.pipe()
    args = [b"/bin/sleep", b"60"]
    return _posixsubprocess.fork_exec(
        args, args[:1], True, (), None, None, -1, -1, -1, -1, -1, -1, err_read, err_write,
        False, new_session, -1, None, None, None, -1, None, False,
    )  # fmt: skip


for new_session in (True, False):
    with contextlib.suppress(Exception):
        spawn(new_session)


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (torch.nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        return k
