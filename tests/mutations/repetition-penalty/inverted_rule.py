# expect: positive_logits
import torch
from torch import Tensor


def repetition_penalty(logits: Tensor, input_ids: Tensor, penalty: float) -> Tensor:
    if input_ids.shape[-1] == 0:
        return logits.clone()
    seen = logits.gather(-1, input_ids)  # the logits of the tokens already in each row (duplicates repeat)
    penalised = torch.where(seen < 0, seen / penalty, seen * penalty)
    # scatter writes the same value for every duplicate of a token: the penalty is applied once
    return logits.scatter(-1, input_ids, penalised)


def frequency_presence_penalty(
    logits: Tensor, generated_ids: Tensor, frequency_penalty: float, presence_penalty: float
) -> Tensor:
    counts = torch.zeros_like(logits)
    counts.scatter_add_(-1, generated_ids, torch.ones_like(generated_ids, dtype=logits.dtype))
    return logits - counts * frequency_penalty - (counts > 0).to(logits.dtype) * presence_penalty
