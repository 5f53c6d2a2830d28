import torch
import torch.nn as nn
from torch import Tensor


def apply_rope(x: Tensor, positions: Tensor, base: float = 10000.0) -> Tensor:
    """Rotary position embedding (Su et al. 2021) in the rotate-half layout of GPT-NeoX / Hugging Face Llama.

    x: (B, H, L, d_head) queries or keys, d_head even.
    positions: integer tensor of shape (L,) (the same positions for every sequence), or (B, L) (one row of
        positions per sequence, e.g. after left padding). Positions need not start at 0 nor be contiguous.
    base: the frequency base (10000 in the paper, 500000 in Llama 3).
    Returns a tensor of the same shape and dtype as x.

    Convention (rotate-half): with half = d_head // 2, dimension i is paired with dimension i + half, for
    i = 0 .. half-1, and the pair at position p is rotated by the angle p * theta_i where
        theta_i = base ** (-2 * i / d_head).
    That is, for x1 = x[..., :half] and x2 = x[..., half:]:
        out[..., :half] = x1 * cos(p * theta) - x2 * sin(p * theta)
        out[..., half:] = x2 * cos(p * theta) + x1 * sin(p * theta)
    (the interleaved GPT-J layout, which pairs 2i with 2i+1, is NOT this card's convention).

    Gradients must flow back to x. Complex-number helpers (torch.view_as_complex, torch.polar,
    torch.complex) are not allowed here: write the rotation with real tensors.
    """
    # your code
    raise NotImplementedError


class RotaryEmbedding(nn.Module):
    """Given (keep it as it is): lets the checks take gradients through apply_rope."""

    def __init__(self, base: float = 10000.0):
        super().__init__()
        self.base = base

    def forward(self, x: Tensor, positions: Tensor) -> Tensor:
        return apply_rope(x, positions, self.base)
