# expect: parameters
import math

import torch
import torch.nn as nn


class GroupedQueryAttention(nn.Module):
    def __init__(self, d_model: int, num_heads: int, num_kv_heads: int):
        super().__init__()
        assert d_model % num_heads == 0 and num_heads % num_kv_heads == 0
        self.h = num_heads
        self.h_kv = num_kv_heads
        self.d_head = d_model // num_heads
        self.wq = nn.Linear(d_model, d_model, bias=False)
        self.wk = nn.Linear(d_model, num_kv_heads * self.d_head, bias=False)
        self.wv = nn.Linear(d_model, num_kv_heads * self.d_head, bias=False)
        self.wo = nn.Linear(d_model, d_model, bias=False)

    def _split(self, x: torch.Tensor, heads: int) -> torch.Tensor:
        b, length, _ = x.shape
        return x.view(b, length, heads, self.d_head).transpose(1, 2)  # (B, heads, L, d_head)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        b, length, d_model = x.shape
        q = self._split(self.wq(x), self.h)
        k = self._split(self.wk(x), self.h_kv)
        v = self._split(self.wv(x), self.h_kv)
        n_rep = self.h // self.h_kv
        k = k.repeat_interleave(n_rep, dim=1)  # query head h uses KV head h // n_rep
        v = v.repeat_interleave(n_rep, dim=1)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.d_head)  # (B, H, L, L)
        if mask is not None:
            scores = scores.masked_fill(mask, float("-inf"))
        context = torch.softmax(scores, dim=-1) @ v
        return self.wo(context.transpose(1, 2).reshape(b, length, d_model))
