# expect: basic
import torch


def cross_entropy(logits: torch.Tensor, target: torch.Tensor, ignore_index: int = -100) -> torch.Tensor:
    logits = logits.reshape(-1, logits.shape[-1])
    target = target.reshape(-1)
    keep = target != ignore_index
    logits, target = logits[keep], target[keep]
    lse = torch.logsumexp(logits, dim=0)
    picked = logits.gather(-1, target[:, None]).squeeze(-1)
    return (lse - picked).mean()
