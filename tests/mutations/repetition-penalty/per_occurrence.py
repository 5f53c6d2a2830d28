# expect: repeated_tokens
import torch
from torch import Tensor


def repetition_penalty(logits: Tensor, input_ids: Tensor, penalty: float) -> Tensor:
    if input_ids.shape[-1] == 0:
        return logits.clone()
    out = logits.clone()
    rows = torch.arange(logits.shape[0], device=logits.device)
    for t in range(input_ids.shape[-1]):
        ids = input_ids[:, t]
        x = out[rows, ids]
        out[rows, ids] = torch.where(x < 0, x * penalty, x / penalty)
    return out


def frequency_presence_penalty(
    logits: Tensor, generated_ids: Tensor, frequency_penalty: float, presence_penalty: float
) -> Tensor:
    counts = torch.zeros_like(logits)
    counts.scatter_add_(-1, generated_ids, torch.ones_like(generated_ids, dtype=logits.dtype))
    return logits - counts * frequency_penalty - (counts > 0).to(logits.dtype) * presence_penalty
