# expect: wide_range_row
import torch


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    shifted = x - x.mean(dim=dim, keepdim=True)  # the largest term becomes exp(0) = 1: no overflow
    e = torch.exp(shifted)
    return e / e.sum(dim=dim, keepdim=True)
