# expect: all_zero_tensor
import torch


def quantize(x: torch.Tensor, dim: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    if dim is None:
        absmax = x.abs().amax()
    else:
        dim = dim % x.dim()
        others = tuple(d for d in range(x.dim()) if d != dim)
        absmax = x.abs().amax(dim=others, keepdim=True) if others else x.abs()
    scale = absmax / 127
    q = torch.round(x / scale).clamp(-127, 127).to(torch.int8)
    return q, scale


def dequantize(q: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    return q.to(scale.dtype) * scale
