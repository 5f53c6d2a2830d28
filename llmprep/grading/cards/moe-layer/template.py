import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

_STATS = {"calls": 0, "rows": 0}


class Expert(nn.Module):
    """Given (keep it as it is): one SwiGLU expert, as in Mixtral (w2(silu(w1 x) * w3 x), no bias).
    It counts its calls and the token rows it processed, for the checks."""

    def __init__(self, d_model: int, d_ff: int):
        super().__init__()
        self.w1 = nn.Linear(d_model, d_ff, bias=False)
        self.w2 = nn.Linear(d_ff, d_model, bias=False)
        self.w3 = nn.Linear(d_model, d_ff, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        _STATS["calls"] += 1
        _STATS["rows"] += x.numel() // x.shape[-1]
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


def expert_stats() -> dict:
    """Given (keep it as it is): how many expert calls and token rows since the last reset."""
    return dict(_STATS)


def reset_expert_stats() -> None:
    """Given (keep it as it is)."""
    _STATS["calls"] = 0
    _STATS["rows"] = 0


class MoELayer(nn.Module):
    """A sparse mixture-of-experts feed-forward layer (Mixtral-style top-k routing, no capacity limit).

    __init__(d_model, d_ff, n_experts, k): create exactly
        self.gate    = nn.Linear(d_model, n_experts, bias=False)                           # the router
        self.experts = nn.ModuleList([Expert(d_model, d_ff) for _ in range(n_experts)])
    and no other parameters.

    forward(x): x (B, L, d_model) -> (B, L, d_model). For every token t (of the B * L tokens):
        p = softmax(gate(x_t)) over the n_experts; e_1..e_k = the k most probable experts;
        w_j = p[e_j] / (p[e_1] + ... + p[e_k])                 (renormalised top-k weights)
        out_t = sum_j w_j * experts[e_j](x_t)
    Every token goes through exactly its k experts (nothing is dropped).

    Dispatch and combine without a Python loop over tokens; a loop over the experts is fine. Call each expert
    AT MOST ONCE per forward, as a module (self.experts[e](rows)), on the (n_e, d_model) rows of exactly the
    tokens routed to it, then add the weighted results back to their tokens (index_add / scatter_add). Do not
    run every expert on every token. The checks count the calls and rows (expert_stats); an expert that
    receives no token may be skipped. Gradients must reach x, the gate and every expert that was used.
    """

    def __init__(self, d_model: int, d_ff: int, n_experts: int, k: int):
        super().__init__()
        # your code

    def forward(self, x: Tensor) -> Tensor:
        # your code
        raise NotImplementedError
