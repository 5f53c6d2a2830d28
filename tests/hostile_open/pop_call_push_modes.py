# expect-status: banned
# Pops torch's mode stacks, calls the banned function, and pushes the very same modes back before returning:
# a check that only looks whether the modes are still there at the end of the request sees nothing.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils import _python_dispatch

sdpa = getattr(F, "scaled_dot_product_" + "attention")


def attention(*args):
    functions, dispatches = [], []
    while torch._C._len_torch_function_stack():
        functions.append(torch._C._pop_torch_function_stack())
    while _python_dispatch._get_current_dispatch_mode_stack():
        dispatches.append(_python_dispatch._pop_mode())
    try:
        return sdpa(*args)
    finally:
        for mode in reversed(dispatches):
            _python_dispatch._push_mode(mode)
        for mode in reversed(functions):
            torch._C._push_on_torch_function_stack(mode)


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
