# expect: confident_wrong_predictions
import torch


def cross_entropy(logits: torch.Tensor, target: torch.Tensor, ignore_index: int = -100) -> torch.Tensor:
    logits = logits.reshape(-1, logits.shape[-1])
    target = target.reshape(-1)
    keep = target != ignore_index
    logits, target = logits[keep], target[keep]
    probs = torch.softmax(logits, dim=-1)
    picked = probs.gather(-1, target[:, None]).squeeze(-1)
    return -torch.log(picked).mean()
