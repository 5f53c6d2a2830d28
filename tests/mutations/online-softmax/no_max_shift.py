# expect: large_values
import torch
from torch import Tensor


class OnlineSoftmax:
    """Sums exp(x) directly and shifts only when asked: right on paper, overflows for large logits."""

    def __init__(self):
        self.m: Tensor | None = None
        self.total: Tensor | None = None

    def update(self, chunk: Tensor) -> None:
        if self.m is None:
            self.m = torch.full(chunk.shape[:-1], float("-inf"), dtype=chunk.dtype, device=chunk.device)
            self.total = torch.zeros(chunk.shape[:-1], dtype=chunk.dtype, device=chunk.device)
        self.m = torch.maximum(self.m, chunk.amax(dim=-1))
        self.total = self.total + torch.exp(chunk).sum(dim=-1)

    def state(self) -> tuple[Tensor, Tensor]:
        shift = torch.where(torch.isneginf(self.m), torch.zeros_like(self.m), self.m)
        return self.m, self.total * torch.exp(-shift)


def merge(m_a: Tensor, d_a: Tensor, m_b: Tensor, d_b: Tensor) -> tuple[Tensor, Tensor]:
    m = torch.maximum(m_a, m_b)
    shift = torch.where(torch.isneginf(m), torch.zeros_like(m), m)
    return m, d_a * torch.exp(m_a - shift) + d_b * torch.exp(m_b - shift)


def online_softmax(x: Tensor, chunk_size: int) -> Tensor:
    stats = OnlineSoftmax()
    n = x.shape[-1]
    for start in range(0, n, chunk_size):
        stats.update(x[..., start : start + chunk_size])
    m, d = stats.state()
    out = torch.empty_like(x)
    for start in range(0, n, chunk_size):
        out[..., start : start + chunk_size] = (
            torch.exp(x[..., start : start + chunk_size] - m[..., None]) / d[..., None]
        )
    return out
