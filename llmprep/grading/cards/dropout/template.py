import torch
import torch.nn as nn
from torch import Tensor


class Dropout(nn.Module):
    """Inverted dropout (Srivastava et al. 2014; the scaling of torch.nn.Dropout), written by hand.

    __init__(p=0.5): p in [0, 1] is the probability that an element is ZEROED (as in PyTorch; the paper's p is
        the probability of KEEPING a unit). The module has no parameters.

    forward(x, generator=None):
        x: a floating tensor of any shape; generator: an optional torch.Generator; when given, ALL the randomness
           of this call must come from it (e.g. torch.rand(x.shape, generator=generator, device=x.device)), so
           that the same generator state gives the same mask.
        Training mode (self.training, the default after construction):
            every element is dropped independently with probability p: out = x * keep / (1 - p), keep ~ Bernoulli(1 - p),
            so E[out] = x. Edge cases: p = 0 returns x unchanged; p = 1 returns all zeros (no division by zero, no nan).
        Eval mode (after .eval()): returns x unchanged (no mask, no scaling).
        returns a tensor of x's shape and dtype. Gradients flow to x (d out / d x = keep / (1 - p)).

    Not allowed here: F.dropout, nn.Dropout, torch.dropout and the other dropout functions and modules.
    torch.rand(x.shape, generator=generator, device=x.device) and torch.bernoulli(probs, generator=generator)
    are fine.
    """

    def __init__(self, p: float = 0.5):
        super().__init__()
        # your code

    def forward(self, x: Tensor, generator: torch.Generator | None = None) -> Tensor:
        # your code
        raise NotImplementedError

    def forward_seeded(self, x: Tensor, seed: int) -> Tensor:
        """Given (keep it as it is): the checks cannot send a Generator, so they send a seed."""
        generator = torch.Generator(device=x.device).manual_seed(seed)
        return self(x, generator=generator)
