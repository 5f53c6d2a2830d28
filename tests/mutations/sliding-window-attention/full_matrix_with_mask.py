# expect: long_sequence
import math

import torch
import torch.nn as nn
from torch import Tensor


def sliding_window_mask(seq_len: int, window: int) -> Tensor:
    pos = torch.arange(seq_len)
    return (pos[None, :] <= pos[:, None]) & (pos[None, :] > pos[:, None] - window)


def sliding_window_attention(q: Tensor, k: Tensor, v: Tensor, window: int, block_size: int = 64) -> Tensor:
    # right values, but the whole (T, T) score matrix and mask: O(T^2) memory
    t, d = q.shape[-2], q.shape[-1]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)
    scores = scores.masked_fill(~sliding_window_mask(t, window).to(q.device), float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


class SlidingWindowAttention(nn.Module):
    """Given (keep it as it is): lets the checks take gradients through sliding_window_attention."""

    def __init__(self, window: int, block_size: int = 64):
        super().__init__()
        self.window = window
        self.block_size = block_size

    def forward(self, q: Tensor, k: Tensor, v: Tensor) -> Tensor:
        return sliding_window_attention(q, k, v, self.window, self.block_size)
