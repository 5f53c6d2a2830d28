# expect: last_dim
import torch


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    shifted = x - x.amax(dim=dim, keepdim=True)  # the largest term becomes exp(0) = 1: no overflow
    e = torch.exp(shifted)
    return e / e.sum()
