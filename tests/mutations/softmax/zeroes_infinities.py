# expect: masked_entries
import torch


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    x = torch.where(torch.isfinite(x), x, torch.zeros_like(x))  # guard against inf
    shifted = x - x.amax(dim=dim, keepdim=True)  # the largest term becomes exp(0) = 1: no overflow
    e = torch.exp(shifted)
    return e / e.sum(dim=dim, keepdim=True)
