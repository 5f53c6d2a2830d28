import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    """x / sqrt(mean(x^2 over the last dim) + eps) * weight; one parameter self.weight = ones(dim)."""

    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        # your code

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # your code
        raise NotImplementedError


class Attention(nn.Module):
    """Causal multi-head self-attention: self.wq, self.wk, self.wv, self.wo = nn.Linear(d_model, d_model,
    bias=False); d_head = d_model // n_heads; softmax(q k^T / sqrt(d_head)) over keys j <= i; heads merged,
    then wo. (LLaMA also rotates q and k with RoPE here; this card leaves positions out.)"""

    def __init__(self, d_model: int, n_heads: int):
        super().__init__()
        # your code

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # your code
        raise NotImplementedError


class FeedForward(nn.Module):
    """SwiGLU: w2(silu(w1 x) * w3 x) with self.w1, self.w3 = nn.Linear(d_model, d_ff, bias=False) and
    self.w2 = nn.Linear(d_ff, d_model, bias=False)."""

    def __init__(self, d_model: int, d_ff: int):
        super().__init__()
        # your code

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # your code
        raise NotImplementedError


class TransformerBlock(nn.Module):
    """A pre-norm decoder block as in LLaMA (Meta's llama/model.py TransformerBlock).

    __init__(d_model, n_heads, d_ff, eps=1e-6): create exactly these submodules (the checks load parameters
    by these names: attention_norm.weight, attention.wq.weight, ..., feed_forward.w3.weight, ffn_norm.weight):
        self.attention_norm = RMSNorm(d_model, eps)
        self.attention      = Attention(d_model, n_heads)
        self.ffn_norm       = RMSNorm(d_model, eps)
        self.feed_forward   = FeedForward(d_model, d_ff)
    and no other parameters (no biases anywhere).

    forward(x): x (B, L, d_model) -> (B, L, d_model)
        h   = x + attention(attention_norm(x))       # the residual stream itself is never normalised
        out = h + feed_forward(ffn_norm(h))

    Not allowed here: F.scaled_dot_product_attention, nn.MultiheadAttention, nn.RMSNorm / F.rms_norm,
    nn.Transformer*Layer. F.silu and torch.softmax are allowed.
    """

    def __init__(self, d_model: int, n_heads: int, d_ff: int, eps: float = 1e-6):
        super().__init__()
        # your code

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # your code
        raise NotImplementedError
