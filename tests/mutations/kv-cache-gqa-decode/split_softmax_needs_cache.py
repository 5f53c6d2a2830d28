# expect: empty_cache
import math

import torch


def gqa_decode_step(q, k_new, v_new, k_cache, v_cache):
    # scores against the cache and against the new token kept apart, merged with a hand-written stable
    # softmax: the max over the cache's positions fails when the cache is empty (T = 0)
    n_rep = q.shape[1] // k_new.shape[1]
    kc, vc = k_cache.repeat_interleave(n_rep, dim=1), v_cache.repeat_interleave(n_rep, dim=1)
    kn, vn = k_new.repeat_interleave(n_rep, dim=1), v_new.repeat_interleave(n_rep, dim=1)
    scale = 1 / math.sqrt(q.shape[-1])
    s_cache = q @ kc.transpose(-1, -2) * scale  # (B, H, 1, T)
    s_new = q @ kn.transpose(-1, -2) * scale  # (B, H, 1, 1)
    m = torch.maximum(s_cache.amax(-1, keepdim=True), s_new)
    e_cache, e_new = (s_cache - m).exp(), (s_new - m).exp()
    out = (e_cache @ vc + e_new @ vn) / (e_cache.sum(-1, keepdim=True) + e_new)
    return out, torch.cat([k_cache, k_new], dim=2), torch.cat([v_cache, v_new], dim=2)
