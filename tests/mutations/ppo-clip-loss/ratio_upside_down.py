# expect: unclipped
import torch
import torch.nn as nn
from torch import Tensor


class PPOClipLoss(nn.Module):
    def __init__(self, clip_eps: float = 0.2, clip_eps_high: float | None = None):
        super().__init__()
        self.clip_low = clip_eps
        self.clip_high = clip_eps if clip_eps_high is None else clip_eps_high

    def forward(self, logp_new: Tensor, logp_old: Tensor, advantages: Tensor, mask: Tensor) -> Tensor:
        mask = mask.bool()
        if advantages.dim() == 1:  # one advantage per response: the same for all of its tokens
            advantages = advantages.unsqueeze(-1).expand_as(logp_new)
        # zero the log-ratio of padding BEFORE exp: exp(garbage) can be inf, and inf * 0 (or a where after the
        # exp) still sends nan back through the gradient of exp
        log_ratio = torch.where(mask, logp_old - logp_new, torch.zeros_like(logp_new))
        ratio = torch.exp(log_ratio)
        unclipped = ratio * advantages
        clipped = torch.clamp(ratio, 1.0 - self.clip_low, 1.0 + self.clip_high) * advantages
        per_token = -torch.minimum(unclipped, clipped)
        per_token = torch.where(mask, per_token, torch.zeros_like(per_token))
        return per_token.sum() / mask.sum()
