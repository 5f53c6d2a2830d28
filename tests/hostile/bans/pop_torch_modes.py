# expect-status: banned
# Pops the worker's TorchFunctionMode and TorchDispatchMode off torch's mode stacks, then calls the banned
# function: the runtime bans live in the submission's own interpreter.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils import _python_dispatch

while torch._C._len_torch_function_stack():
    torch._C._pop_torch_function_stack()
while _python_dispatch._get_current_dispatch_mode_stack():
    _python_dispatch._pop_mode()
attention = getattr(F, "scaled_dot_product_" + "attention")


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
