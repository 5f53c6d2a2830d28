# expect: first_step

import torch
from torch import Tensor


@torch.no_grad()
def adamw_step(
    params: list[Tensor],
    grads: list[Tensor],
    exp_avgs: list[Tensor],
    exp_avg_sqs: list[Tensor],
    step: int,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 1e-2,
) -> tuple[list[Tensor], list[Tensor], list[Tensor]]:
    beta1, beta2 = betas
    bias_correction1 = 1.0
    bias_correction2 = 1.0
    for p, g, m, v in zip(params, grads, exp_avgs, exp_avg_sqs, strict=True):
        p.mul_(1 - lr * weight_decay)  # decoupled decay, on the weights before the update
        m.mul_(beta1).add_(g, alpha=1 - beta1)
        v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
        denom = (v / bias_correction2).sqrt().add_(eps)
        p.addcdiv_(m, denom, value=-lr / bias_correction1)
    return params, exp_avgs, exp_avg_sqs
