import torch
import torch.nn as nn
from torch import Tensor


class Dropout(nn.Module):
    def __init__(self, p: float = 0.5):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability must be in [0, 1], got {p}")
        self.p = p

    def forward(self, x: Tensor, generator: torch.Generator | None = None) -> Tensor:
        if not self.training or self.p == 0.0:
            return x
        if self.p == 1.0:
            return torch.zeros_like(x)  # everything dropped; 1 / (1 - p) would be a division by zero
        keep = torch.rand(x.shape, generator=generator, device=x.device) >= self.p  # P(keep) = 1 - p
        return x * keep.to(x.dtype) / (1.0 - self.p)

    def forward_seeded(self, x: Tensor, seed: int) -> Tensor:
        """Given (keep it as it is): the checks cannot send a Generator, so they send a seed."""
        generator = torch.Generator(device=x.device).manual_seed(seed)
        return self(x, generator=generator)
