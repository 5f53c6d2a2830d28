import torch
from torch import Tensor


def gae(rewards: Tensor, values: Tensor, dones: Tensor, gamma: float, lam: float) -> tuple[Tensor, Tensor]:
    """Generalized Advantage Estimation (Schulman et al. 2016) for ONE rollout of length T.

    rewards: (T,)    reward received after the action at step t
    values:  (T+1,)  critic values V(s_0) .. V(s_T); values[T] is the bootstrap value of the state after the rollout
    dones:   (T,)    float 0.0 / 1.0; dones[t] = 1.0 means the episode ended at step t: s_{t+1} belongs to a new
                     episode, so its value must NOT be bootstrapped into step t and A_{t+1} must not flow into A_t
    Returns (advantages, returns), both (T,):
        delta_t = rewards[t] + gamma * values[t+1] * (1 - dones[t]) - values[t]
        A_t     = delta_t + gamma * lam * (1 - dones[t]) * A_{t+1}        (A_T = 0)
        returns = advantages + values[:T]
    """
    # your code
    raise NotImplementedError


def ppo_clip_loss(logp_new: Tensor, logp_old: Tensor, advantages: Tensor, clip_eps: float = 0.2) -> Tensor:
    """PPO's clipped surrogate loss (to minimise), over N samples.

    logp_new, logp_old, advantages: (N,)  log-probabilities of the taken actions under the new and old policy
    Returns a 0-dim tensor:
        r    = exp(logp_new - logp_old)
        loss = -mean( min(r * A, clip(r, 1 - clip_eps, 1 + clip_eps) * A) )
    """
    # your code
    raise NotImplementedError
