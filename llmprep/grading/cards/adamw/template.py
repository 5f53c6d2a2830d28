import math

import torch
from torch import Tensor


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
    """One AdamW update (Loshchilov & Hutter), with the same results as torch.optim.AdamW.

    params[i], grads[i], exp_avgs[i] (first moment m) and exp_avg_sqs[i] (second moment v) all have the same
    shape, which differs from one i to the next. Before the first update the moments are zeros.
    step: the 1-based number of THIS update (1 on the first call, 2 on the second, ...), i.e. the count
          after incrementing: use it as given in the bias corrections.

    Conventions (those of torch.optim.AdamW):
      - decoupled weight decay: the weights shrink by a factor (1 - lr * weight_decay), applied to the weights
        as they were before this step, then the Adam update is subtracted; the decay is not added to the gradient;
      - bias-corrected moments: m_hat = m / (1 - beta1**step), v_hat = v / (1 - beta2**step);
      - eps is added outside the square root: sqrt(v_hat) + eps.

    Update the tensors in place, as an optimizer would, AND return them: (params, exp_avgs, exp_avg_sqs),
    three lists in the order given (the grader reads the returned values).

    Not allowed here: anything from torch.optim (AdamW, Adam, their functional forms), torch._fused_adamw_.
    """
    # your code
    raise NotImplementedError
