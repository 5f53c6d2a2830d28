import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class GroupedQueryAttention(nn.Module):
    """Grouped-query self-attention (Ainslie et al. 2023), as in Llama 2/3 and Mistral.

    __init__(d_model, num_heads, num_kv_heads): num_heads query heads share num_kv_heads key/value heads;
    num_heads is divisible by num_kv_heads and d_model by num_heads; d_head = d_model // num_heads.
    Create exactly these layers, all with bias:
        self.wq = nn.Linear(d_model, d_model)
        self.wk = nn.Linear(d_model, num_kv_heads * d_head)
        self.wv = nn.Linear(d_model, num_kv_heads * d_head)
        self.wo = nn.Linear(d_model, d_model)

    forward(x, mask=None):
        x: (B, L, d_model); returns (B, L, d_model).
        q is split into num_heads heads and k, v into num_kv_heads heads, each of size d_head (the usual
        view(B, L, heads, d_head).transpose(1, 2)). Grouping: with n_rep = num_heads // num_kv_heads,
        query head h attends with KV head h // n_rep (consecutive query heads share a KV head, like
        Hugging Face's repeat_kv). Per head softmax(QK^T / sqrt(d_head)) V, heads merged back, then wo.
        mask: optional bool tensor broadcastable to (B, num_heads, L, L); True means "may NOT attend"
              (scores.masked_fill(mask, float("-inf"))).
    num_kv_heads = 1 is multi-query attention; num_kv_heads = num_heads is ordinary multi-head attention.

    Not allowed here: F.scaled_dot_product_attention, nn.MultiheadAttention, F.multi_head_attention_forward.
    """

    def __init__(self, d_model: int, num_heads: int, num_kv_heads: int):
        super().__init__()
        # your code

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        # your code
        raise NotImplementedError
