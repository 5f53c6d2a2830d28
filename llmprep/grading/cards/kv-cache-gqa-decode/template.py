import math

import torch
from torch import Tensor


def gqa_decode_step(
    q: Tensor, k_new: Tensor, v_new: Tensor, k_cache: Tensor, v_cache: Tensor
) -> tuple[Tensor, Tensor, Tensor]:
    """One decode step of grouped-query attention (Ainslie et al. 2023) with a KV cache, as in Llama 2/3 and
    Mistral inference. Projections and RoPE are already applied: this is only the attention and the cache.

    q:       (B, H, 1, d)       the query of the new token, H query heads of size d
    k_new:   (B, H_kv, 1, d)    the key and value of the new token, H_kv KV heads, H_kv < H, H % H_kv == 0
    v_new:   (B, H_kv, 1, d)
    k_cache: (B, H_kv, T, d)    keys and values of the T earlier tokens (T may be 0: an empty cache)
    v_cache: (B, H_kv, T, d)

    1. Append: k = cat((k_cache, k_new), dim=2), v likewise: (B, H_kv, T + 1, d). The cache stores the H_kv
       KV heads only (never the heads repeated H / H_kv times).
    2. Attend: with n_rep = H // H_kv, query head h uses KV head h // n_rep (consecutive query heads share a KV
       head: the semantics of k.repeat_interleave(n_rep, dim=1), Hugging Face's repeat_kv; NOT k.repeat(...)).
       The new token attends to all T + 1 positions (the cache and itself; nothing is masked):
           out[:, h] = softmax(q[:, h] @ k[:, h // n_rep]^T / sqrt(d)) @ v[:, h // n_rep]
    Returns (out, k, v): out (B, H, 1, d); k, v (B, H_kv, T + 1, d), the updated cache.

    Running it token after token from an empty cache must give the outputs of full causal attention over the
    whole sequence. Scores may be large (hundreds): the softmax must stay finite.
    Not allowed here: F.scaled_dot_product_attention, nn.MultiheadAttention, F.multi_head_attention_forward.
    """
    # your code
    raise NotImplementedError
