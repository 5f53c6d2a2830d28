# expect: non_square_input_and_kernel
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor


def _pair(value: int | tuple[int, int]) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


def conv2d(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
) -> Tensor:
    (sh, sw), (ph, pw) = _pair(stride), _pair(padding)
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    kw = kh
    x = F.pad(x, (pw, pw, ph, ph))  # F.pad lists the last dim first: (left, right, top, bottom)
    h_out = (h + 2 * ph - kh) // sh + 1
    w_out = (w + 2 * pw - kw) // sw + 1
    out = x.new_zeros(n, c_out, h_out, w_out)
    for u in range(kh):  # one matmul per kernel offset: kH * kW iterations, not one per output pixel
        for v in range(kw):
            patch = x[:, :, u : u + sh * (h_out - 1) + 1 : sh, v : v + sw * (w_out - 1) + 1 : sw]  # (N, C, Ho, Wo)
            out = out + torch.einsum("nchw,oc->nohw", patch, weight[:, :, u, v])
    if bias is not None:
        out = out + bias[None, :, None, None]
    return out


class Conv2d(nn.Module):
    """Given (keep it as it is): holds weight and bias so the checks can take gradients through conv2d."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: tuple[int, int], stride=1, padding=0):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(out_channels, in_channels, *kernel_size))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.stride, self.padding = stride, padding

    def forward(self, x: Tensor) -> Tensor:
        return conv2d(x, self.weight, self.bias, self.stride, self.padding)
