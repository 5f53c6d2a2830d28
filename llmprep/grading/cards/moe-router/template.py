import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor


def route(router_logits: Tensor, k: int, capacity_factor: float | None = None) -> tuple[Tensor, Tensor, Tensor]:
    """Top-k gating of a mixture-of-experts layer, with renormalised weights (Mixtral) and expert capacity.

    router_logits: (T, E), one row of expert logits per token (T tokens, E experts); 1 <= k <= E.
    Returns (weights, experts, keep), each (T, k):
        experts: int64, the k experts with the largest router probability, in DESCENDING order of probability
                 (what torch.topk returns). Ties are not tested.
        weights: float, the selected probabilities renormalised to sum to 1 per token, i.e. with
                 p = softmax(router_logits) over all E experts, weights[t, j] = p[t, experts[t, j]] / sum_j' p[t, experts[t, j']]
                 (= softmax over the k selected logits, Mixtral's Softmax(TopK(x W_g))). With k = 1 every weight is 1.0.
        keep:    bool, whether the assignment fits in its expert's capacity.
    Capacity: when capacity_factor is None nothing is dropped (keep is all True). Otherwise every expert accepts
        at most C = math.ceil(capacity_factor * T * k / E) assignments, in this priority order: first the
        slot-0 choices of tokens 0, 1, ..., T-1, then the slot-1 choices of tokens 0..T-1, and so on (all first
        choices before any second choice, as in GShard / DeepSpeed top-2 gating; by token index within a slot).
        An assignment that arrives when its expert already holds C is dropped: keep = False and its weight
        becomes 0.0. The other weights are NOT renormalised again.
    Gradients must flow from weights back to router_logits.
    """
    # your code
    raise NotImplementedError


def load_balancing_loss(router_logits: Tensor, k: int, alpha: float = 0.01) -> Tensor:
    """The Switch Transformer auxiliary loss (Fedus et al. 2021, eqs. 4-6), for top-k routing. Returns a 0-dim tensor:
        P_i  = mean over the T tokens of softmax(router_logits)[:, i]   (full softmax over all E experts)
        f_i  = fraction of the T * k top-k assignments routed to expert i (before any capacity drop; a count,
               so it carries no gradient)
        loss = alpha * E * sum_i f_i * P_i
    For k = 1 this is exactly Switch's loss; a perfectly balanced router gives loss = alpha.
    (Hugging Face's Mixtral version counts the k slots separately, so its sum_i f_i is k: not this card's.)
    Gradients flow to router_logits through P only.
    """
    # your code
    raise NotImplementedError


class RouterProbe(nn.Module):
    """Given (keep it as it is): lets the checks take gradients through route and load_balancing_loss."""

    def __init__(self, k: int, capacity_factor: float | None = None, alpha: float = 0.01):
        super().__init__()
        self.k, self.capacity_factor, self.alpha = k, capacity_factor, alpha

    def weights(self, router_logits: Tensor) -> Tensor:
        return route(router_logits, self.k, self.capacity_factor)[0]

    def aux(self, router_logits: Tensor) -> Tensor:
        return load_balancing_loss(router_logits, self.k, self.alpha)
