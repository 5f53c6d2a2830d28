# expect: train_3d
import torch
import torch.nn as nn


class BatchNorm1d(nn.Module):
    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1):
        super().__init__()
        self.eps = eps
        self.momentum = momentum
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = (1, -1) if x.dim() == 2 else (1, -1, 1)
        if self.training:
            mean = x.mean(dim=0, keepdim=True)  # (1, C) or (1, C, L): per position, not per channel
            var = x.var(dim=0, unbiased=False, keepdim=True)
            n = x.shape[0]
            with torch.no_grad():
                m = mean.reshape(x.shape[1], -1).mean(-1)
                v = var.reshape(x.shape[1], -1).mean(-1)
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * m)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * v * n / (n - 1))
        else:
            mean, var = self.running_mean.view(shape), self.running_var.view(shape)
        x_hat = (x - mean) / torch.sqrt(var + self.eps)
        return x_hat * self.weight.view(shape) + self.bias.view(shape)
