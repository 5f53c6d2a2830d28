import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor


class DPOLoss(nn.Module):
    """The DPO loss (Rafailov et al. 2023, eq. 7), with optional label smoothing ("conservative DPO").

    __init__(beta=0.1, label_smoothing=0.0): store them; the module has NO parameters.

    forward(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps) -> 0-dim tensor
        Each argument is (N,) float, one entry per preference pair i: the SUM over the answer's tokens of
        log π(y_t | x, y_<t) for the chosen answer y_w or the rejected answer y_l, under the trained policy π_θ
        (policy_*) or the frozen reference model π_ref (ref_*).

            h_i    = (policy_chosen_i - ref_chosen_i) - (policy_rejected_i - ref_rejected_i)
            loss_i = (1 - ε) * (-log σ(β * h_i)) + ε * (-log σ(-β * h_i))      β = beta, ε = label_smoothing
            return   mean over the N pairs of loss_i

        With ε = 0 this is eq. 7 exactly. When h_i = 0 (policy = reference) loss_i = log 2.

    Must stay finite and accurate for large margins: |β * h_i| of several hundred, in BOTH directions (long
    answers have log-prob sums in the hundreds). Gradients must reach policy_chosen_logps and
    policy_rejected_logps (the reference log-probs are constants).

    Not allowed here: importing trl. F.logsigmoid and F.softplus are allowed.
    """

    def __init__(self, beta: float = 0.1, label_smoothing: float = 0.0):
        super().__init__()
        # your code

    def forward(
        self,
        policy_chosen_logps: Tensor,
        policy_rejected_logps: Tensor,
        ref_chosen_logps: Tensor,
        ref_rejected_logps: Tensor,
    ) -> Tensor:
        # your code
        raise NotImplementedError
