import math

import torch
from torch import Tensor


def rope_cos_sin(
    positions: Tensor, head_dim: int, base: float = 10000.0, scaling: str = "none", factor: float = 1.0
) -> tuple[Tensor, Tensor]:
    """The cos / sin tables of rotary position embedding (RoPE) with a context-extension scaling, in the
    rotate-half layout of GPT-NeoX / Hugging Face Llama (the tables that `x * cos + rotate_half(x) * sin` uses).

    positions: an integer tensor of any shape, e.g. (L,) or (B, L); values need not start at 0, need not be
               contiguous and may be large (tens of thousands).
    head_dim:  d, even.
    base:      the frequency base b (10000 in RoPE, 500000 in Llama 3).
    scaling:   "none", "linear" or "ntk";   factor: the scale s >= 1 (s = 4: a 4x longer context).

    Returns (cos, sin), two floating tensors (float32 or better) of shape (*positions.shape, d):
        theta_i = b ** (-2 i / d)                 for i = 0 .. d/2 - 1   (Hugging Face's inv_freq)
        angle[..., i] = p * theta_i               p: the position of that entry
        angle[..., i + d/2] = angle[..., i]       (cat((angles, angles), dim=-1), NOT repeat_interleave)
        cos = cos(angle), sin = sin(angle)
    Scalings:
        "none":   the above; factor is ignored.
        "linear": position interpolation (Chen et al. 2023): every position p becomes p / s (a fraction;
                  Hugging Face divides inv_freq by s, which is the same).
        "ntk":    NTK-aware scaling (bloc97, "NTK-Aware Scaled RoPE", 2023; Hugging Face's dynamic NTK uses
                  the same base change): positions stay as they are and the base becomes
                      b' = b * s ** (d / (d - 2)),     theta_i = b' ** (-2 i / d)
    With factor = 1 every scaling is plain RoPE.

    Compute the angles in float32 or better (float64 is fine). Complex-number helpers (torch.polar,
    torch.view_as_complex) are not needed and not allowed.
    """
    # your code
    raise NotImplementedError
