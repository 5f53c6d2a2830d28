import math

import torch
import torch.nn as nn


class LoRALinear(nn.Module):
    """A linear layer with a low-rank adapter (LoRA), as in Hu et al. 2021.

    __init__(in_features, out_features, r, alpha):
        self.base = nn.Linear(in_features, out_features)   (with bias), FROZEN: its weight and bias have
                    requires_grad = False
        self.lora_A = nn.Parameter of shape (r, in_features), random non-zero init
                    (Kaiming-uniform or a small Gaussian)
        self.lora_B = nn.Parameter of shape (out_features, r), initialised to ZEROS
        self.scaling = alpha / r
        No other parameters.

    forward(x): x has shape (..., in_features); returns (..., out_features):
        base(x) + (x @ lora_A.T @ lora_B.T) * scaling          (while not merged)
        base(x)                                                (while merged: the update is in base.weight)

    merge():   base.weight += (lora_B @ lora_A) * scaling, in place; afterwards forward uses base alone.
    unmerge(): undo merge(): base.weight -= (lora_B @ lora_A) * scaling; forward adds the LoRA branch again.
    Calling merge() twice, or unmerge() when not merged, changes nothing (keep a flag such as self.merged).
    Both return None. The output must be the same (up to rounding) merged or not.

    Not allowed here: importing peft or loralib.
    """

    def __init__(self, in_features: int, out_features: int, r: int, alpha: float):
        super().__init__()
        # your code

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # your code
        raise NotImplementedError

    def merge(self) -> None:
        # your code
        raise NotImplementedError

    def unmerge(self) -> None:
        # your code
        raise NotImplementedError
