# expect: attention
import torch
import torch.nn as nn
from torch import Tensor


def _allowed(rows: Tensor, cols: Tensor, window: int) -> Tensor:
    """True where query position `rows` may attend key position `cols`: i - window < j <= i."""
    return (cols <= rows) & (cols > rows - window)


def sliding_window_mask(seq_len: int, window: int) -> Tensor:
    pos = torch.arange(seq_len)
    return _allowed(pos[:, None], pos[None, :], window)


def sliding_window_attention(q: Tensor, k: Tensor, v: Tensor, window: int, block_size: int = 64) -> Tensor:
    t = q.shape[-2]
    outputs = []
    for start in range(0, t, block_size):
        end = min(start + block_size, t)
        first = max(0, start - window + 1)  # the earliest key any query of this block can see
        scores = q[..., start:end, :] @ k[..., first:end, :].transpose(-2, -1)
        rows = torch.arange(start, end, device=q.device)[:, None]
        cols = torch.arange(first, end, device=q.device)[None, :]
        scores = scores.masked_fill(~_allowed(rows, cols, window), float("-inf"))
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
