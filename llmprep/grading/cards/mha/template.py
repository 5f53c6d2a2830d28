import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class MultiHeadAttention(nn.Module):
    """Multi-head scaled dot-product attention, written by hand.

    __init__(d_model, num_heads): create self.wq, self.wk, self.wv, self.wo, each nn.Linear(d_model, d_model)
    with bias. d_model is divisible by num_heads; each head has d_k = d_model // num_heads.

    forward(q, k, v, mask=None):
        q: (B, Lq, d_model); k, v: (B, Lk, d_model)  (Lq may differ from Lk: cross-attention)
        mask: optional bool tensor broadcastable to (B, num_heads, Lq, Lk); True means "may NOT attend"
              (as with scores.masked_fill(mask, float("-inf"))).
        returns (B, Lq, d_model)

    Not allowed here: F.scaled_dot_product_attention, nn.MultiheadAttention, F.multi_head_attention_forward.
    """

    def __init__(self, d_model: int, num_heads: int):
        super().__init__()
        # your code

    def forward(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None):
        # your code
        raise NotImplementedError
