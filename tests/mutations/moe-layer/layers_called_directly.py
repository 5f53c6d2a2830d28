# expect: only_routed_tokens
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
    def __init__(self, d_model: int, d_ff: int, n_experts: int, k: int):
        super().__init__()
        self.k = k
        self.gate = nn.Linear(d_model, n_experts, bias=False)
        self.experts = nn.ModuleList([Expert(d_model, d_ff) for _ in range(n_experts)])

    def forward(self, x: Tensor) -> Tensor:
        flat = x.reshape(-1, x.shape[-1])  # (T, d_model)
        probs = torch.softmax(self.gate(flat), dim=-1)
        top_p, chosen = probs.topk(self.k, dim=-1)  # (T, k)
        weights = top_p / top_p.sum(dim=-1, keepdim=True)
        out = torch.zeros_like(flat)
        for e, expert in enumerate(self.experts):
            token_idx, slot = (chosen == e).nonzero(as_tuple=True)  # the tokens routed to e, and in which slot
            if token_idx.numel() == 0:
                continue
            rows = flat[token_idx]
            y = expert.w2(F.silu(expert.w1(rows)) * expert.w3(rows)) * weights[token_idx, slot, None]
            out = out.index_add(0, token_idx, y)  # a token routed to several experts sums their outputs
        return out.reshape(x.shape)
