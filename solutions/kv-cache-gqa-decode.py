import math

import torch
from torch import Tensor


def gqa_decode_step(
    q: Tensor, k_new: Tensor, v_new: Tensor, k_cache: Tensor, v_cache: Tensor
) -> tuple[Tensor, Tensor, Tensor]:
    b, h, _, d = q.shape
    h_kv = k_new.shape[1]
    n_rep = h // h_kv
    k = torch.cat((k_cache, k_new), dim=2)  # (B, H_kv, T + 1, d): the cache keeps H_kv heads
    v = torch.cat((v_cache, v_new), dim=2)
    # group the query heads by their KV head instead of copying K/V: head h = g * n_rep + r uses KV head g
    qg = q.reshape(b, h_kv, n_rep, d)  # (B, H_kv, n_rep, d)
    scores = qg @ k.transpose(-2, -1) / math.sqrt(d)  # (B, H_kv, n_rep, T + 1)
    weights = torch.softmax(scores, dim=-1)
    out = (weights @ v).reshape(b, h, 1, d)  # (B, H_kv, n_rep, d) -> (B, H, 1, d)
    return out, k, v
