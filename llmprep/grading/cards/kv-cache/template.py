import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class CausalSelfAttention(nn.Module):
    """Causal multi-head self-attention with a key/value cache for autoregressive decoding.

    __init__(d_model, num_heads): create self.wq, self.wk, self.wv, self.wo, each nn.Linear(d_model, d_model)
    with bias (no other parameters). d_model is divisible by num_heads; d_head = d_model // num_heads.

    forward(x, cache=None) -> (out, cache)
        x: (B, L, d_model), the NEW tokens only.
        cache: None (nothing seen yet) or a tuple (k, v) from the previous call, each of shape
               (B, num_heads, L_past, d_head): the keys wk(x) and values wv(x) of all earlier tokens,
               split into heads (no scaling, no other change).
        out: (B, L, d_model).
        cache (returned): (k, v) of shape (B, num_heads, L_past + L, d_head): the past keys/values followed
               by those of the new tokens.
    Attention is causal over absolute positions: the new token i (position L_past + i) attends to every
    cached token and to new tokens 0..i, never to later ones. softmax(QK^T / sqrt(d_head)) V per head,
    heads merged back to (B, L, d_model), then wo.

    Calling it once on a whole sequence must give the same outputs as a prefill of a prefix followed by
    calls on the remaining tokens (one or several at a time), each passing the cache returned before.

    Not allowed here: F.scaled_dot_product_attention, nn.MultiheadAttention, F.multi_head_attention_forward.
    """

    def __init__(self, d_model: int, num_heads: int):
        super().__init__()
        # your code

    def forward(
        self, x: torch.Tensor, cache: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        # your code
        raise NotImplementedError
