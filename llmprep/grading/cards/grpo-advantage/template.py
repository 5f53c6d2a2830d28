import torch
from torch import Tensor


def grpo_advantages(rewards: Tensor, group_size: int, eps: float = 1e-4, scale_by_std: bool = True) -> Tensor:
    """GRPO's group-relative advantages (Shao et al. 2024, DeepSeekMath §4.1.2, outcome supervision).

    rewards: (N,) float, one scalar reward per sampled completion; N = num_prompts * group_size, and the
             G = group_size completions of the same prompt are CONTIGUOUS: rewards[g*G:(g+1)*G] is group g
             (the layout of TRL's GRPOTrainer, rewards.view(-1, G)). group_size >= 2.
    returns (N,) float, in the same order:
        scale_by_std=True:   A_i = (r_i - mean_group) / (std_group + eps)
        scale_by_std=False:  A_i =  r_i - mean_group        (Dr. GRPO, Liu et al. 2025: no std scaling)
    mean_group and std_group are taken over the G rewards of the completion's own group only.
    std_group is the SAMPLE standard deviation: sqrt(sum((r - mean)^2) / (G - 1)), with Bessel's correction,
    as torch.std computes by default and as TRL's GRPOTrainer uses (the paper writes std(r) without saying
    which). eps is added to the std, outside the square root.

    Edge case: a group whose rewards are all equal (every completion right, or every one wrong) has std 0;
    each of its advantages is 0 (r - mean = 0, and 0 / (0 + eps) = 0), never nan.

    Not allowed here: importing trl.
    """
    # your code
    raise NotImplementedError
