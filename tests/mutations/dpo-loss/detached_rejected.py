# expect: gradients
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor


class DPOLoss(nn.Module):
    def __init__(self, beta: float = 0.1, label_smoothing: float = 0.0):
        super().__init__()
        self.beta = beta
        self.label_smoothing = label_smoothing

    def forward(
        self,
        policy_chosen_logps: Tensor,
        policy_rejected_logps: Tensor,
        ref_chosen_logps: Tensor,
        ref_rejected_logps: Tensor,
    ) -> Tensor:
        chosen_logratio = policy_chosen_logps - ref_chosen_logps  # log π_θ(y_w|x) / π_ref(y_w|x)
        rejected_logratio = policy_rejected_logps.detach() - ref_rejected_logps
        z = self.beta * (chosen_logratio - rejected_logratio)
        eps = self.label_smoothing
        # -log σ(z) = softplus(-z), computed stably by logsigmoid for any |z|
        losses = -(1.0 - eps) * F.logsigmoid(z) - eps * F.logsigmoid(-z)
        return losses.mean()
