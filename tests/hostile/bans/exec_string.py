# expect-status: banned
# Hides the banned call in a string run by exec(): the AST scan never sees it.
import torch.nn as nn
import torch.nn.functional as F

CODE = "out = F.scaled_dot_product_attention(q, k, v, attn_mask=m)"


def attention(q, k, v, m):
    scope = {"F": F, "q": q, "k": k, "v": v, "m": m}
    exec(CODE, scope)
    return scope["out"]


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
