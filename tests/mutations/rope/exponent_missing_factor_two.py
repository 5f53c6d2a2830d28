# expect: matches_reference
import torch
import torch.nn as nn
from torch import Tensor


def rotate_half(x: Tensor) -> Tensor:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def apply_rope(x: Tensor, positions: Tensor, base: float = 10000.0) -> Tensor:
    d_head = x.shape[-1]
    inv_freq = base ** (-torch.arange(0, d_head // 2, device=x.device, dtype=torch.float32) / d_head)  # (d/2,)
    angles = positions.to(torch.float32)[..., None] * inv_freq  # (L, d/2) or (B, L, d/2)
    if angles.dim() == 3:
        angles = angles.unsqueeze(1)  # (B, 1, L, d/2): broadcast over heads
    angles = torch.cat((angles, angles), dim=-1)  # dimension i and i + d/2 share an angle
    cos, sin = angles.cos().to(x.dtype), angles.sin().to(x.dtype)
    return x * cos + rotate_half(x) * sin


class RotaryEmbedding(nn.Module):
    """Given (keep it as it is): lets the checks take gradients through apply_rope."""

    def __init__(self, base: float = 10000.0):
        super().__init__()
        self.base = base

    def forward(self, x: Tensor, positions: Tensor) -> Tensor:
        return apply_rope(x, positions, self.base)
