# expect-status: banned
# Fetches the banned function out of the module's namespace dict, a route the AST scan does not follow.
import torch.nn as nn
import torch.nn.functional as F

attention = vars(F)["scaled_dot_product_attention"]


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
