# expect-status: error
# Calls the banned function in a new thread: torch's function and dispatch mode stacks are thread-local, so the
# modes the worker pushed on its main thread are not active there. Stopped by seccomp (no clone on the CPU):
# the thread cannot start, an error.
import threading

import torch.nn as nn
import torch.nn.functional as F

sdpa = getattr(F, "scaled_" + "dot_product_attention")


def attention(*args):
    box = []
    worker = threading.Thread(target=lambda: box.append(sdpa(*args)))
    worker.start()
    worker.join()
    return box[0]


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.h = num_heads
        self.wq, self.wk, self.wv, self.wo = (nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, q, k, v, mask=None):
        b, lq, d = q.shape
        split = lambda x: x.view(b, -1, self.h, d // self.h).transpose(1, 2)  # noqa: E731
        out = attention(split(self.wq(q)), split(self.wk(k)), split(self.wv(v)), None if mask is None else ~mask)
        return self.wo(out.transpose(1, 2).reshape(b, lq, d))
