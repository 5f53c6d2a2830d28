# expect: empty_history_and_penalty_one
import torch
from torch import Tensor


def repetition_penalty(logits: Tensor, input_ids: Tensor, penalty: float) -> Tensor:
    seen = torch.nn.functional.one_hot(input_ids, logits.shape[-1]).amax(dim=1).bool()  # (B, V)
    penalised = torch.where(logits < 0, logits * penalty, logits / penalty)
    return torch.where(seen, penalised, logits)


def frequency_presence_penalty(
    logits: Tensor, generated_ids: Tensor, frequency_penalty: float, presence_penalty: float
) -> Tensor:
    counts = torch.zeros_like(logits)
    counts.scatter_add_(-1, generated_ids, torch.ones_like(generated_ids, dtype=logits.dtype))
    return logits - counts * frequency_penalty - (counts > 0).to(logits.dtype) * presence_penalty
