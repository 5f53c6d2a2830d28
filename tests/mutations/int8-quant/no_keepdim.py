# expect: per_channel_rows
import torch


def quantize(x: torch.Tensor, dim: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    if dim is None:
        absmax = x.abs().amax()
    else:
        dim = dim % x.dim()
        others = tuple(d for d in range(x.dim()) if d != dim)
        absmax = x.abs().amax(dim=others) if others else x.abs()
    scale = torch.where(absmax > 0, absmax / 127, torch.ones_like(absmax))
    q = (
        torch.round(
            x / scale.reshape([-1 if d == dim else 1 for d in range(x.dim())]) if dim is not None else x / scale
        )
        .clamp(-127, 127)
        .to(torch.int8)
    )
    return q, scale


def dequantize(q: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    return q.to(scale.dtype) * scale
