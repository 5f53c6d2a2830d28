# expect: long_sequence
import math

import torch
import torch.nn as nn
from torch import Tensor


def sliding_window_mask(seq_len: int, window: int) -> Tensor:
    pos = torch.arange(seq_len)
    return (pos[None, :] <= pos[:, None]) & (pos[None, :] > pos[:, None] - window)


def sliding_window_attention(q: Tensor, k: Tensor, v: Tensor, window: int, block_size: int = 64) -> Tensor:
    # banded tiles, but their masks are sliced out of one (T, T) mask built up front
    t, d = q.shape[-2], q.shape[-1]
    full = sliding_window_mask(t, window).to(q.device)
    outputs = []
    for start in range(0, t, block_size):
        end = min(start + block_size, t)
        first = max(0, start - window + 1)
        scores = q[..., start:end, :] @ k[..., first:end, :].transpose(-2, -1) / math.sqrt(d)
        scores = scores.masked_fill(~full[start:end, first:end], float("-inf"))
        outputs.append(torch.softmax(scores, dim=-1) @ v[..., first:end, :])
    return torch.cat(outputs, dim=-2)


class SlidingWindowAttention(nn.Module):
    """Given (keep it as it is): lets the checks take gradients through sliding_window_attention."""

    def __init__(self, window: int, block_size: int = 64):
        super().__init__()
        self.window = window
        self.block_size = block_size

    def forward(self, q: Tensor, k: Tensor, v: Tensor) -> Tensor:
        return sliding_window_attention(q, k, v, self.window, self.block_size)
