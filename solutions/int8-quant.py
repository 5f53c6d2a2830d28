import torch


def quantize(x: torch.Tensor, dim: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    if dim is None:
        absmax = x.abs().amax()
    else:
        dim = dim % x.dim()
        others = tuple(d for d in range(x.dim()) if d != dim)
        absmax = x.abs().amax(dim=others, keepdim=True) if others else x.abs()
    scale = torch.where(absmax > 0, absmax / 127, torch.ones_like(absmax))
    q = torch.round(x / scale).clamp(-127, 127).to(torch.int8)
    return q, scale


def dequantize(q: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    return q.to(scale.dtype) * scale
