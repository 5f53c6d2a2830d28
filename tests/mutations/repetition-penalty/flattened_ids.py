# expect: rows_are_independent
import torch
from torch import Tensor


def repetition_penalty(logits: Tensor, input_ids: Tensor, penalty: float) -> Tensor:
    if input_ids.shape[-1] == 0:
        return logits.clone()
    unique = torch.unique(input_ids)  # every token seen in the batch
    seen = logits[:, unique]
    out = logits.clone()
    out[:, unique] = torch.where(seen < 0, seen * penalty, seen / penalty)
    return out


def frequency_presence_penalty(
    logits: Tensor, generated_ids: Tensor, frequency_penalty: float, presence_penalty: float
) -> Tensor:
    counts = torch.zeros_like(logits)
    counts.scatter_add_(-1, generated_ids, torch.ones_like(generated_ids, dtype=logits.dtype))
    return logits - counts * frequency_penalty - (counts > 0).to(logits.dtype) * presence_penalty
