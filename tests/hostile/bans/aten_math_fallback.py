# expect-status: banned
# The math fallback of attention is a composite op: its decomposition (matmul, softmax) may be all a dispatch
# mode sees, so calling it by name through torch.ops.aten may slip past the op bans.
import torch
import torch.nn as nn

math_kernel = getattr(torch.ops.aten, "_scaled_dot_product_attention_" + "math")


def attention(q, k, v, m):
    bias = None if m is None else torch.zeros(m.shape, dtype=q.dtype).masked_fill(~m, float("-inf"))
    return math_kernel(q, k, v, bias)[0]


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
