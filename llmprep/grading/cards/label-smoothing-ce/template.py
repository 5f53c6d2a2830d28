import torch
import torch.nn as nn
from torch import Tensor


class LabelSmoothingCrossEntropy(nn.Module):
    """Cross-entropy with label smoothing (Szegedy et al. 2016, §7), exactly as
    F.cross_entropy(logits, target, label_smoothing=eps, ignore_index=ignore_index) computes it (mean reduction).

    __init__(label_smoothing=0.0, ignore_index=-100): store both; no parameters.

    forward(logits, target) -> 0-dim tensor
        logits: (..., K) float, unnormalised scores, classes on the LAST dim (e.g. (N, K) or (B, L, K)).
        target: (...) int64 class indices in [0, K), same leading shape; entries equal to ignore_index are
                padding: they contribute nothing (neither term below) and are not counted in the mean. At least
                one entry is not ignored.
        With log p = log_softmax(logits) over the K classes and eps = label_smoothing, the smoothed target
        spreads eps over ALL K classes (the true one included):
            q = (1 - eps) * onehot(target) + eps / K
            loss_token = -sum_k q_k log p_k = (1 - eps) * (-log p_target) + eps * mean_k(-log p_k)
        returns the mean of loss_token over the non-ignored tokens.
    Must stay finite and accurate for logits around 1000 and for targets whose probability underflows to 0.
    Gradients must flow to logits.

    Not allowed here: F.cross_entropy, nn.CrossEntropyLoss, F.nll_loss, nn.NLLLoss.
    torch.logsumexp and torch.log_softmax are fine.
    """

    def __init__(self, label_smoothing: float = 0.0, ignore_index: int = -100):
        super().__init__()
        # your code

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        # your code
        raise NotImplementedError
