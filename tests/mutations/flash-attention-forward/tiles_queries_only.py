# expect: long_keys
import math

import torch
from torch import Tensor


def flash_attention(q: Tensor, k: Tensor, v: Tensor, causal: bool = False, block_size: int = 64) -> Tensor:
    # tiles the QUERIES and takes an exact softmax over each full row of keys: every tile is (block, Tk)
    d = q.shape[-1]
    tq = q.shape[2]
    out = torch.empty_like(q)
    for start in range(0, tq, block_size):
        s = q[:, :, start : start + block_size] @ k.transpose(-2, -1) / math.sqrt(d)
        if causal:
            rows = torch.arange(start, start + s.shape[2], device=q.device)[:, None]
            cols = torch.arange(k.shape[2], device=q.device)[None, :]
            s = s.masked_fill(cols > rows, float("-inf"))
        p = torch.exp(s - s.amax(dim=-1, keepdim=True))
        out[:, :, start : start + block_size] = (p / p.sum(dim=-1, keepdim=True)) @ v
    return out
