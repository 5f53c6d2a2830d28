# expect-status: error
# A background thread floods the reply pipe (found among the inherited fds: the write-only FIFO) with forged
# frames (the protocol's own encoding): "pass", and plausible values hoping the judge takes one as its answer.
import fcntl
import os
import stat
import sys
import threading

import torch

encode = sys.modules["llmprep.grading.protocol"].encode  # well-formed frames, as the worker itself writes them


def reply_fd():
    for fd in range(3, 16):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode) and fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY:
                return fd
        except OSError:
            continue
    return None


def flood(fd):
    fakes = [encode({"ok": False, "status": "pass", "message": "ok"}), encode({"ok": True, "value": "ready"})]
    while True:
        for fake in fakes:
            try:
                os.write(fd, fake)
            except OSError:
                return


fd = reply_fd()
if fd is not None:
    threading.Thread(target=flood, args=(fd,), daemon=True).start()


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (torch.nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        return torch.zeros_like(q)
