# expect: other_dims[1]
import torch


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    shifted = x - x.amax(dim=dim)  # the largest term becomes exp(0) = 1: no overflow
    e = torch.exp(shifted)
    return e / e.sum(dim=dim, keepdim=True)
