# expect-status: banned
# Finds the worker's Tripwires object with the garbage collector and disarms it from Python: forgets the modes
# it checks, empties the sets its profile hook looks in, clears what it recorded, then pops the modes.
import gc
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils import _python_dispatch

for obj in gc.get_objects():
    if type(obj).__name__ == "Tripwires":
        obj.modes = []
        obj.violations = []
        type(obj).report = lambda self: None
hook = sys.getprofile()
for cell in getattr(hook, "__closure__", None) or ():
    if isinstance(cell.cell_contents, set | frozenset | dict):
        cell.cell_contents = type(cell.cell_contents)()
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
