# expect: kv_cache_contents
import math

import torch
import torch.nn as nn
from torch import Tensor


def rope(x: Tensor, positions: Tensor, base: float = 10000.0) -> Tensor:
    """Given (keep it as it is; use it): rotary embedding in the rotate-half layout.
    x: (..., L, d) with d even; positions: (L,) integers. Dimension i is paired with i + d/2 and rotated by
    position * base**(-2i/d)."""
    d = x.shape[-1]
    inv_freq = base ** (-torch.arange(0, d, 2, device=x.device, dtype=torch.float64) / d)
    angles = positions.to(torch.float64)[:, None] * inv_freq  # (L, d/2)
    angles = torch.cat((angles, angles), dim=-1)
    cos, sin = angles.cos().to(x.dtype), angles.sin().to(x.dtype)
    rotated = torch.cat((-x[..., d // 2 :], x[..., : d // 2]), dim=-1)
    return x * cos + rotated * sin


class MLA(nn.Module):
    def __init__(self, d_model: int, n_heads: int, d_head: int, d_latent: int, d_rope: int, rope_base: float = 10000.0):
        super().__init__()
        self.n_heads, self.d_head, self.d_rope, self.rope_base = n_heads, d_head, d_rope, rope_base
        self.w_dkv = nn.Linear(d_model, d_latent, bias=False)
        self.w_uk = nn.Linear(d_latent, n_heads * d_head, bias=False)
        self.w_uv = nn.Linear(d_latent, n_heads * d_head, bias=False)
        self.w_kr = nn.Linear(d_model, d_rope, bias=False)
        self.w_q = nn.Linear(d_model, n_heads * d_head, bias=False)
        self.w_qr = nn.Linear(d_model, n_heads * d_rope, bias=False)
        self.w_o = nn.Linear(n_heads * d_head, d_model, bias=False)

    def compress_kv(self, h: Tensor) -> tuple[Tensor, Tensor]:
        return self.w_dkv(h), self.w_kr(h)  # RoPE forgotten

    def forward(self, h: Tensor) -> Tensor:
        b, length, _ = h.shape
        nh = self.n_heads
        positions = torch.arange(length, device=h.device)
        c_kv, k_rope = self.compress_kv(h)  # the cache: d_latent + d_rope numbers per token

        def heads(t: Tensor, width: int) -> Tensor:
            return t.view(b, length, nh, width).transpose(1, 2)  # (B, H, L, width)

        k_c = heads(self.w_uk(c_kv), self.d_head)
        v = heads(self.w_uv(c_kv), self.d_head)
        q_c = heads(self.w_q(h), self.d_head)
        q_r = rope(heads(self.w_qr(h), self.d_rope), positions, self.rope_base)
        q = torch.cat((q_c, q_r), dim=-1)
        k = torch.cat((k_c, k_rope[:, None].expand(b, nh, length, self.d_rope)), dim=-1)  # one RoPE key for all heads
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.d_head + self.d_rope)
        future = torch.ones(length, length, dtype=torch.bool, device=h.device).triu(1)
        weights = torch.softmax(scores.masked_fill(future, float("-inf")), dim=-1)
        out = (weights @ v).transpose(1, 2).reshape(b, length, nh * self.d_head)
        return self.w_o(out)
