# expect: growing_max
import torch
from torch import Tensor


def _finite_or_zero(m: Tensor) -> Tensor:
    """The shift to subtract: m itself, or 0 where m is -inf (then every exp(x - 0) with x = -inf is 0)."""
    return torch.where(torch.isneginf(m), torch.zeros_like(m), m)


class OnlineSoftmax:
    def __init__(self):
        self.m: Tensor | None = None
        self.d: Tensor | None = None

    def update(self, chunk: Tensor) -> None:
        if self.m is None:
            self.m = torch.full(chunk.shape[:-1], float("-inf"), dtype=chunk.dtype, device=chunk.device)
            self.d = torch.zeros(chunk.shape[:-1], dtype=chunk.dtype, device=chunk.device)
        m_new = torch.maximum(self.m, chunk.amax(dim=-1))
        shift = _finite_or_zero(m_new)
        # rescale the old sum to the new max, then add this chunk's terms
        self.d = self.d * torch.exp(shift - _finite_or_zero(self.m)) + torch.exp(chunk - shift[..., None]).sum(dim=-1)
        self.m = m_new

    def state(self) -> tuple[Tensor, Tensor]:
        return self.m, self.d


def merge(m_a: Tensor, d_a: Tensor, m_b: Tensor, d_b: Tensor) -> tuple[Tensor, Tensor]:
    m = torch.maximum(m_a, m_b)
    shift = _finite_or_zero(m)
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
