import torch
import torch.nn as nn
import torch.nn.functional as F


class SwiGLUFFN(nn.Module):
    """The SwiGLU feed-forward block of LLaMA-style transformers.

    __init__(d_model, hidden): create three linear layers WITHOUT bias, named as in LLaMA's FeedForward:
        self.w1 = nn.Linear(d_model, hidden, bias=False)   # gate projection
        self.w3 = nn.Linear(d_model, hidden, bias=False)   # up projection
        self.w2 = nn.Linear(hidden, d_model, bias=False)   # down projection
    (no other parameters).

    forward(x): x has shape (..., d_model), e.g. (B, L, d_model); returns the same shape:
        out = w2( silu(w1 x) * (w3 x) )    with silu(z) = z * sigmoid(z), the product elementwise.

    F.silu is allowed. Nothing is banned on this card.
    """

    def __init__(self, d_model: int, hidden: int):
        super().__init__()
        # your code

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # your code
        raise NotImplementedError
