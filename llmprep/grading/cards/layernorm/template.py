import torch
import torch.nn as nn


class LayerNorm(nn.Module):
    """Layer normalization, written by hand (same behaviour as torch.nn.LayerNorm).

    __init__(normalized_shape, eps=1e-5, elementwise_affine=True)
        normalized_shape: int or tuple of ints, the trailing dims to normalise over together
                          (an int n means (n,)).
        elementwise_affine: when True, create parameters self.weight (ones) and self.bias (zeros), each of
                            shape normalized_shape; when False, the module has no parameters.

    forward(x):
        x: (..., *normalized_shape), any number of leading dims
        returns the same shape: (x - mean) / sqrt(var + eps) * weight + bias, where mean and the BIASED
        variance (divide by n, not n - 1) are taken over the last len(normalized_shape) dims.

    Not allowed here: F.layer_norm, nn.LayerNorm, torch.layer_norm (nor group_norm).
    """

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True):
        super().__init__()
        # your code

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # your code
        raise NotImplementedError
