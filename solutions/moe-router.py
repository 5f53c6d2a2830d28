import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor


def route(router_logits: Tensor, k: int, capacity_factor: float | None = None) -> tuple[Tensor, Tensor, Tensor]:
    tokens, n_experts = router_logits.shape
    probs = torch.softmax(router_logits, dim=-1)
    top_p, experts = probs.topk(k, dim=-1)  # descending
    weights = top_p / top_p.sum(dim=-1, keepdim=True)
    if capacity_factor is None:
        return weights, experts, torch.ones_like(experts, dtype=torch.bool)
    capacity = math.ceil(capacity_factor * tokens * k / n_experts)
    # priority: slot 0 of every token (in token order), then slot 1, ...
    order = experts.t().reshape(-1)  # (k * T,)
    onehot = F.one_hot(order, n_experts)
    position = (onehot.cumsum(dim=0) * onehot).sum(dim=-1) - 1  # how many earlier assignments this expert took
    keep = (position < capacity).view(k, tokens).t()
    return weights * keep, experts, keep


def load_balancing_loss(router_logits: Tensor, k: int, alpha: float = 0.01) -> Tensor:
    tokens, n_experts = router_logits.shape
    probs = torch.softmax(router_logits, dim=-1)
    experts = probs.topk(k, dim=-1).indices
    f = torch.bincount(experts.reshape(-1), minlength=n_experts).to(probs.dtype) / (tokens * k)
    p = probs.mean(dim=0)
    return alpha * n_experts * (f * p).sum()


class RouterProbe(nn.Module):
    """Given (keep it as it is): lets the checks take gradients through route and load_balancing_loss."""

    def __init__(self, k: int, capacity_factor: float | None = None, alpha: float = 0.01):
        super().__init__()
        self.k, self.capacity_factor, self.alpha = k, capacity_factor, alpha

    def weights(self, router_logits: Tensor) -> Tensor:
        return route(router_logits, self.k, self.capacity_factor)[0]

    def aux(self, router_logits: Tensor) -> Tensor:
        return load_balancing_loss(router_logits, self.k, self.alpha)
