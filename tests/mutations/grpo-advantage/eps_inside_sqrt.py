# expect: custom_eps
import torch
from torch import Tensor


def grpo_advantages(rewards: Tensor, group_size: int, eps: float = 1e-4, scale_by_std: bool = True) -> Tensor:
    grouped = rewards.view(-1, group_size)  # (num_prompts, G): each row is one prompt's completions
    mean = grouped.mean(dim=1, keepdim=True)
    advantages = grouped - mean
    if scale_by_std:
        advantages = advantages / torch.sqrt(grouped.var(dim=1, keepdim=True) + eps)  # an all-equal group: 0 / eps = 0
    return advantages.reshape(-1)
