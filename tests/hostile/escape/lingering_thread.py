# expect-status: error
# Threads that keep running after the answer: a non-daemon busy thread and a Timer that tries, later, to signal
# the parent and write a file in the user's home. Threads cannot start (seccomp refuses clone on the CPU):
# an error at import.
import contextlib
import os
import signal
import threading

import torch


def later():
    with contextlib.suppress(Exception):
        os.kill(os.getppid(), signal.SIGKILL)
    with contextlib.suppress(Exception), open(os.path.expanduser("~/llmprep-was-here.txt"), "w") as fh:
        fh.write("still here")


threading.Timer(3.0, later).start()
threading.Thread(target=lambda: [None for _ in iter(int, 1)]).start()


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (torch.nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        return k
