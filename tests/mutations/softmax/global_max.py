# expect: rows_with_different_offsets
import torch


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    shifted = x - x.max()  # the largest term becomes exp(0) = 1: no overflow
    e = torch.exp(shifted)
    return e / e.sum(dim=dim, keepdim=True)
