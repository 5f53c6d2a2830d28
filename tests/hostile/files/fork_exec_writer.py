# expect-status: fail
# _posixsubprocess.fork_exec, the primitive under subprocess, raises no audit event: run /usr/bin/touch and
# /bin/sh to write into $HOME. Only the read-only filesystem stops this; under the basic level it writes.
import _posixsubprocess
import contextlib
import os

import torch

target = os.path.expanduser("~/llmprep-was-here.txt")
for args in ([b"/usr/bin/touch", os.fsencode(target)], [b"/bin/sh", b"-c", b"echo pass > " + os.fsencode(target)]):
    with contextlib.suppress(Exception):
        err_read, err_write = os.pipe()
        pid = _posixsubprocess.fork_exec(
            args, args[:1], True, (), None, None, -1, -1, -1, -1, -1, -1, err_read, err_write,
            False, False, -1, None, None, None, -1, None, False,
        )  # fmt: skip
        os.waitpid(pid, 0)


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (torch.nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        return v
