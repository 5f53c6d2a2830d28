import torch
from torch import Tensor


def rope_cos_sin(
    positions: Tensor, head_dim: int, base: float = 10000.0, scaling: str = "none", factor: float = 1.0
) -> tuple[Tensor, Tensor]:
    d = head_dim
    pos = positions.to(torch.float64)  # exact for any realistic position; the angles stay accurate
    if scaling == "linear":
        pos = pos / factor  # position interpolation: squeeze s times more positions into the trained range
    elif scaling == "ntk":
        base = base * factor ** (d / (d - 2))  # NTK-aware: stretch the low frequencies, keep theta_0 = 1
    elif scaling != "none":
        raise ValueError(f"unknown scaling {scaling!r}")
    inv_freq = base ** (-torch.arange(0, d, 2, dtype=torch.float64, device=positions.device) / d)  # (d/2,)
    angles = pos[..., None] * inv_freq  # (..., d/2)
    angles = torch.cat((angles, angles), dim=-1)  # dimension i and i + d/2 share an angle (rotate-half)
    return angles.cos().to(torch.float32), angles.sin().to(torch.float32)
