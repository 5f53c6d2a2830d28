import torch
import torch.nn as nn


class RMSNorm(nn.Module):
    """Root-mean-square normalization (as in LLaMA), written by hand.

    __init__(dim, eps=1e-6): create the parameter self.weight = ones(dim) (no bias).

    forward(x):
        x: (..., dim), any number of leading dims
        returns the same shape: x / sqrt(mean(x^2) + eps) * weight, the mean taken over the last dim.
        No mean subtraction (that would be LayerNorm).

    Not allowed here: nn.RMSNorm, F.rms_norm.
    """

    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        # your code

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # your code
        raise NotImplementedError
