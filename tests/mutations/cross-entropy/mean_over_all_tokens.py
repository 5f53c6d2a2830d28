# expect: ignore_index
import torch


def cross_entropy(logits: torch.Tensor, target: torch.Tensor, ignore_index: int = -100) -> torch.Tensor:
    logits = logits.reshape(-1, logits.shape[-1])
    target = target.reshape(-1)
    keep = target != ignore_index
    safe = torch.where(keep, target, torch.zeros_like(target))
    m = logits.amax(dim=-1, keepdim=True)
    lse = m.squeeze(-1) + torch.log(torch.exp(logits - m).sum(dim=-1))  # stable logsumexp
    picked = logits.gather(-1, safe[:, None]).squeeze(-1)
    return ((lse - picked) * keep).mean()
