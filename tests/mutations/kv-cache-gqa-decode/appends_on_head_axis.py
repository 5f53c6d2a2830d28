# expect: returned_cache
import math

import torch


def gqa_decode_step(q, k_new, v_new, k_cache, v_cache):
    n_rep = q.shape[1] // k_new.shape[1]
    k = torch.cat([k_cache, k_new], dim=2)
    v = torch.cat([v_cache, v_new], dim=2)
    k_ret = torch.cat([k_cache, k_new], dim=1) if k_cache.shape[2] else k
    v_ret = torch.cat([v_cache, v_new], dim=1) if v_cache.shape[2] else v
    kr, vr = k.repeat_interleave(n_rep, dim=1), v.repeat_interleave(n_rep, dim=1)
    s = q @ kr.transpose(-1, -2) / math.sqrt(q.shape[-1])
    s = s - s.amax(-1, keepdim=True)
    w = s.exp() / s.exp().sum(-1, keepdim=True)
    return w @ vr, k_ret, v_ret
