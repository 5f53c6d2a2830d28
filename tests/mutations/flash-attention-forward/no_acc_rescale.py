# expect: growing_scores
import math

import torch
from torch import Tensor


def flash_attention(q: Tensor, k: Tensor, v: Tensor, causal: bool = False, block_size: int = 64) -> Tensor:
    b, h, tq, d = q.shape
    tk = k.shape[2]
    q = q * (1.0 / math.sqrt(d))
    m = torch.full((b, h, tq), float("-inf"), dtype=q.dtype, device=q.device)  # running row max
    denom = torch.zeros((b, h, tq), dtype=q.dtype, device=q.device)  # running denominator
    acc = torch.zeros((b, h, tq, v.shape[-1]), dtype=q.dtype, device=q.device)  # unnormalised output
    rows = torch.arange(tq, device=q.device)[:, None]
    for start in range(0, tk, block_size):
        if causal and start > tq - 1:
            break  # every later key is in the future of every query
        kb, vb = k[:, :, start : start + block_size], v[:, :, start : start + block_size]
        s = q @ kb.transpose(-2, -1)  # (B, H, Tq, block): one tile of scores, never all Tk columns
        if causal:
            cols = torch.arange(start, start + kb.shape[2], device=q.device)[None, :]
            s = s.masked_fill(cols > rows, float("-inf"))
        m_new = torch.maximum(m, s.amax(dim=-1))
        shift = torch.where(torch.isneginf(m_new), torch.zeros_like(m_new), m_new)
        p = torch.exp(s - shift[..., None])
        alpha = torch.exp(m - shift)  # rescales what was accumulated against the old max
        denom = denom * alpha + p.sum(dim=-1)
        acc = acc + p @ vb
        m = m_new
    return acc / denom[..., None]
