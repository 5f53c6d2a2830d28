# expect-status: banned
# The math kernel of attention straight from torch._C._VariableFunctions, where torch.* functions come from:
# replacing torch.ops.aten.X and torch.X leaves this binding alone, and the op is a composite (decomposed
# into matmul and softmax before any dispatch mode sees it).
import torch
import torch.nn as nn

kernel = getattr(torch._C._VariableFunctions, "_scaled_dot_product_attention_" + "math")


def attention(q, k, v, m):
    bias = None if m is None else torch.zeros(m.shape, dtype=q.dtype).masked_fill(~m, float("-inf"))
    return kernel(q, k, v, bias)[0]


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
