import torch
import torch.nn as nn
from torch import Tensor


class LabelSmoothingCrossEntropy(nn.Module):
    def __init__(self, label_smoothing: float = 0.0, ignore_index: int = -100):
        super().__init__()
        self.label_smoothing = label_smoothing
        self.ignore_index = ignore_index

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        k = logits.shape[-1]
        logits = logits.reshape(-1, k)
        target = target.reshape(-1)
        keep = target != self.ignore_index
        logits, target = logits[keep], target[keep]  # ignored tokens take no part in either term
        log_p = logits - torch.logsumexp(logits, dim=-1, keepdim=True)  # stable log-softmax
        nll = -log_p.gather(-1, target[:, None]).squeeze(-1)  # -log p_target
        uniform = -log_p.mean(dim=-1)  # eps / K on every class: mean_k(-log p_k)
        eps = self.label_smoothing
        return ((1 - eps) * nll + eps * uniform).mean()
