# expect: chunk_after_prefill
import math

import torch
import torch.nn as nn


class CausalSelfAttention(nn.Module):
    def __init__(self, d_model: int, num_heads: int):
        super().__init__()
        assert d_model % num_heads == 0
        self.h = num_heads
        self.d_head = d_model // num_heads
        self.wq = nn.Linear(d_model, d_model)
        self.wk = nn.Linear(d_model, d_model)
        self.wv = nn.Linear(d_model, d_model)
        self.wo = nn.Linear(d_model, d_model)

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        b, length, _ = x.shape
        return x.view(b, length, self.h, self.d_head).transpose(1, 2)  # (B, H, L, d_head)

    def forward(self, x: torch.Tensor, cache: tuple[torch.Tensor, torch.Tensor] | None = None):
        b, length, d_model = x.shape
        q, k, v = self._split(self.wq(x)), self._split(self.wk(x)), self._split(self.wv(x))
        if cache is not None:
            k = torch.cat((cache[0], k), dim=2)
            v = torch.cat((cache[1], v), dim=2)
        total = k.shape[2]
        past = total - length
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.d_head)  # (B, H, L, L_past + L)
        # new query i sits at position past + i and may not see keys after it
        future = torch.ones(length, total, dtype=torch.bool, device=x.device).triu(past + 1)
        if cache is None:  # with a cache we are decoding: nothing in the future
            scores = scores.masked_fill(future, float("-inf"))
        context = torch.softmax(scores, dim=-1) @ v  # (B, H, L, d_head)
        out = self.wo(context.transpose(1, 2).reshape(b, length, d_model))
        return out, (k, v)
