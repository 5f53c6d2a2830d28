import torch


def quantize(x: torch.Tensor, dim: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetric absmax int8 quantization.

    x: a floating tensor of any shape.
    dim: None for one scale for the whole tensor; otherwise the channel axis (negative allowed): one scale
         per index along `dim`, computed over all the other dims (dim=0 of a (C_out, C_in) weight: one
         scale per output row).
    returns (q, scale):
        scale = absmax / 127, in x's dtype. dim=None: a 0-d tensor. Per channel: same number of dims as x,
              size 1 everywhere except `dim` (keepdim), so that q * scale broadcasts; e.g. (C, 1) for
              dim=0 of a (C, K) tensor, (1, C) for dim=1.
        q     = round-to-nearest(x / scale) (torch.round), clamped to [-127, 127], dtype torch.int8,
              same shape as x.
    A tensor or channel that is all zeros has absmax 0: it must come out as q = 0 with a positive, finite
    scale (e.g. 1.0); never divide 0 by 0.

    Not allowed here: torch.quantize_per_tensor / torch.quantize_per_channel, fake_quantize_*, torch.ao,
    bitsandbytes.
    """
    # your code
    raise NotImplementedError


def dequantize(q: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """Inverse of quantize: q (int8) times scale, returned in scale's floating dtype, shape of q."""
    # your code
    raise NotImplementedError
