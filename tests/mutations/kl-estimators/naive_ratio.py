# expect: very_negative_log_probs
import torch
from torch import Tensor


def kl_estimators(logp: Tensor, logq: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    log_r = logp - logq  # work with the log-ratio: exp(logp) / exp(logq) is 0 / 0 for very negative log-probs
    k1 = -log_r
    k2 = 0.5 * log_r**2
    r = torch.exp(logp) / torch.exp(logq)
    k3 = (r - 1) - torch.log(r)  # (r - 1) - log r, with r - 1 computed accurately near r = 1
    return k1, k2, k3
