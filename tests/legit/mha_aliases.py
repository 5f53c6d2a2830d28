# card: mha
# Correct attention written with aliases, getattr on allowed names, an isinstance check against the banned
# class, a helper class with its own .softmax(), a parameter named F, and a self-test using the banned API.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

G = torch.nn.functional
matmul = vars(torch)["matmul"]


class Normaliser:
    def softmax(self, scores: torch.Tensor) -> torch.Tensor:
        return getattr(G, "soft" + "max")(scores, dim=-1)

    def __call__(self, scores: torch.Tensor) -> torch.Tensor:
        return self.softmax(scores)


def project(F: nn.Linear, x: torch.Tensor) -> torch.Tensor:  # a parameter named F is not the module
    return F(x)


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model: int, num_heads: int):
        super().__init__()
        self.h, self.d_k = num_heads, d_model // num_heads
        self.wq, self.wk, self.wv, self.wo = (nn.Linear(d_model, d_model) for _ in range(4))
        self.norm = Normaliser()

    def forward(self, q, k, v, mask=None):
        if isinstance(q, nn.MultiheadAttention):
            raise TypeError("pass tensors, not a module")
        b, lq, d = q.shape

        def split(x):
            return x.view(b, -1, self.h, self.d_k).transpose(1, 2)

        q, k, v = split(project(self.wq, q)), split(project(self.wk, k)), split(project(self.wv, v))
        scores = matmul(q, k.transpose(-2, -1)) / math.sqrt(self.d_k)
        if mask is not None:
            scores = scores.masked_fill(mask, float("-inf"))
        context = (self.norm(scores) @ v).transpose(1, 2).reshape(b, lq, d)
        return self.wo(context)


if __name__ == "__main__":
    x = torch.randn(2, 5, 16)
    attn = MultiHeadAttention(16, 4)
    print(F.scaled_dot_product_attention(x, x, x).shape, attn(x, x, x).shape)
