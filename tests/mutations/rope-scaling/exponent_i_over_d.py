# expect: no_scaling
import torch
from torch import Tensor


def rope_cos_sin(
    positions: Tensor, head_dim: int, base: float = 10000.0, scaling: str = "none", factor: float = 1.0
) -> tuple[Tensor, Tensor]:
    d = head_dim
    pos = positions.to(torch.float32)
    if scaling == "linear":
        pos = pos / factor
    elif scaling == "ntk":
        base = base * factor ** (d / (d - 2))
    inv_freq = base ** (-torch.arange(0, d // 2, dtype=torch.float32) / d)
    angles = pos[..., None] * inv_freq
    angles = torch.cat((angles, angles), dim=-1)
    return angles.cos(), angles.sin()
