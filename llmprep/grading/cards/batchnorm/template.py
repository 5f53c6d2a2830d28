import torch
import torch.nn as nn


class BatchNorm1d(nn.Module):
    """Batch normalization over channels, written by hand (same behaviour as torch.nn.BatchNorm1d).

    __init__(num_features, eps=1e-5, momentum=0.1)
        parameters: self.weight (ones) and self.bias (zeros), shape (num_features,)
        buffers (self.register_buffer): self.running_mean (zeros) and self.running_var (ones), shape (num_features,)

    forward(x):
        x: (N, C) or (N, C, L) with C = num_features; returns the same shape.
        training mode (self.training, the default; set by .train() / .eval()):
            mean and BIASED variance (divide by n) per channel over every axis but C (N, or N and L);
            out = (x - mean) / sqrt(var + eps) * weight + bias;
            then update the running statistics (without tracking gradients through them):
                running_mean = (1 - momentum) * running_mean + momentum * mean
                running_var  = (1 - momentum) * running_var  + momentum * UNBIASED variance (divide by n - 1)
        eval mode: normalise with running_mean and running_var instead, and leave them unchanged.

    Not allowed here: F.batch_norm, nn.BatchNorm1d/2d/3d, torch.batch_norm (nor other *_norm functions).
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1):
        super().__init__()
        # your code

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # your code
        raise NotImplementedError
