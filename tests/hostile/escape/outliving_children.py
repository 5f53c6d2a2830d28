# expect-status: fail
# Children meant to outlive grading: a daemon through os.fork + setsid (double fork), os.forkpty, subprocess
# with a new session, multiprocessing; every refusal is swallowed.
import contextlib
import multiprocessing
import os
import subprocess
import time

import torch


def daemon():
    if os.fork() == 0:
        with contextlib.suppress(OSError):
            os.setsid()
        if os.fork() == 0:
            time.sleep(60)
        os._exit(0)


with contextlib.suppress(Exception):
    daemon()
with contextlib.suppress(Exception):
    if os.forkpty()[0] == 0:
        time.sleep(60)
        os._exit(0)
with contextlib.suppress(Exception):
    subprocess.Popen(["sleep", "60"], start_new_session=True)
with contextlib.suppress(Exception):
    multiprocessing.Process(target=time.sleep, args=(60,), daemon=False).start()


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (torch.nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        return k
