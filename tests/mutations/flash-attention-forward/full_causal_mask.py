# expect: long_sequence
import math

import torch
from torch import Tensor


def flash_attention(q: Tensor, k: Tensor, v: Tensor, causal: bool = False, block_size: int = 64) -> Tensor:
    b, h, tq, d = q.shape
    tk = k.shape[2]
    q = q * (1.0 / math.sqrt(d))
    # the tiles are right, but the causal mask is built once for the whole (T, T) square
    bias = torch.full((tq, tk), float("-inf"), device=q.device).triu(1) if causal else None
    m = torch.full((b, h, tq), float("-inf"), dtype=q.dtype, device=q.device)
    denom = torch.zeros((b, h, tq), dtype=q.dtype, device=q.device)
    acc = torch.zeros((b, h, tq, v.shape[-1]), dtype=q.dtype, device=q.device)
    for start in range(0, tk, block_size):
        kb, vb = k[:, :, start : start + block_size], v[:, :, start : start + block_size]
        s = q @ kb.transpose(-2, -1)
        if causal:
            s = s + bias[:, start : start + block_size]
        m_new = torch.maximum(m, s.amax(dim=-1))
        p = torch.exp(s - m_new[..., None])
        alpha = torch.exp(m - m_new)
        denom = denom * alpha + p.sum(dim=-1)
        acc = acc * alpha[..., None] + p @ vb
        m = m_new
    return acc / denom[..., None]
