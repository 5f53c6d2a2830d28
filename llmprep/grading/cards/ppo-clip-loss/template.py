import torch
import torch.nn as nn
from torch import Tensor


class PPOClipLoss(nn.Module):
    """PPO's clipped surrogate loss (Schulman et al. 2017, eq. 7) at token level, as used to train LLMs (minimise it).

    __init__(clip_eps=0.2, clip_eps_high=None): the ratio is clipped to [1 - clip_eps, 1 + clip_eps_high];
        clip_eps_high=None means clip_eps_high = clip_eps (DAPO's "clip-higher" uses e.g. 0.2 and 0.28).
        The module has NO parameters.

    forward(logp_new, logp_old, advantages, mask) -> 0-dim tensor
        logp_new:   (B, T) float, log π_θ(o_t | q, o_<t) of each sampled response token under the current policy
                    (carries the gradient)
        logp_old:   (B, T) float, the same under the policy that sampled the responses (a constant)
        advantages: (B, T) float, one per token (e.g. GAE), or (B,) one per response (e.g. GRPO), which then
                    applies to every token of that response
        mask:       (B, T) bool or 0/1 float; True / 1 marks a response token to train on, False / 0 padding
        For every token t:
            r_t = exp(logp_new_t - logp_old_t)
            l_t = -min(r_t * A_t, clip(r_t, 1 - clip_eps, 1 + clip_eps_high) * A_t)
        loss = (sum of l_t over the masked-in tokens of the whole batch) / (number of masked-in tokens)
        i.e. a token-level mean over the batch (DAPO's token-level loss), NOT the mean of per-response means
        and NOT a mean over all B*T positions. At least one token is masked in.

    At masked-out positions logp_new and logp_old hold ARBITRARY values (padding fill, e.g. -1e4 in one and 0 in
    the other, so exp(logp_new - logp_old) may overflow to inf) and the advantages arbitrary finite values:
    they must change neither the loss nor its gradient, and must not make either inf or nan.

    Not allowed here: importing trl.
    """

    def __init__(self, clip_eps: float = 0.2, clip_eps_high: float | None = None):
        super().__init__()
        # your code

    def forward(self, logp_new: Tensor, logp_old: Tensor, advantages: Tensor, mask: Tensor) -> Tensor:
        # your code
        raise NotImplementedError
