# expect-status: fail
# A thread bomb: start sleeping threads until the interpreter refuses (each reserves a stack out of the address
# space limit); the refusal is swallowed and forward() still answers, wrongly.
import contextlib
import threading
import time

import torch

threads = 0
with contextlib.suppress(RuntimeError, MemoryError):
    for _ in range(5000):
        threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
        threads += 1
print(f"{threads} threads")


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.wq, self.wk, self.wv, self.wo = (torch.nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        return q
