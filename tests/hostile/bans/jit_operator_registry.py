# expect-status: banned
# The math kernel of attention looked up in the JIT's operator registry (torch._C._jit_get_operation): the
# C++ operator itself, untouched by anything done to torch.ops.aten's Python attributes.
import torch
import torch.nn as nn

kernel, _ = torch._C._jit_get_operation("aten::_scaled_dot_product_attention_" + "math")


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
