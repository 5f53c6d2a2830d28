# expect: sample_std
from torch import Tensor


def grpo_advantages(rewards: Tensor, group_size: int, eps: float = 1e-4, scale_by_std: bool = True) -> Tensor:
    grouped = rewards.view(-1, group_size)  # (num_prompts, G): each row is one prompt's completions
    mean = grouped.mean(dim=1, keepdim=True)
    advantages = grouped - mean
    if scale_by_std:
        std = grouped.std(dim=1, keepdim=True, unbiased=False)  # sample std (divides by G - 1), torch's default
        advantages = advantages / (std + eps)  # an all-equal group: 0 / eps = 0
    return advantages.reshape(-1)
