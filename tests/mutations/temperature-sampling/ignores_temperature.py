# expect: high_temperature
import torch
from torch import Tensor


def sample(logits: Tensor, temperature: float, num_samples: int, generator: torch.Generator) -> Tensor:
    if temperature == 0:  # greedy: the T -> 0 limit of softmax(logits / T) puts all mass on the argmax
        return logits.argmax(dim=-1, keepdim=True).expand(-1, num_samples).clone()
    probs = torch.softmax(logits, dim=-1)  # stable: softmax subtracts the row max
    return torch.multinomial(probs, num_samples, replacement=True, generator=generator)


# ---- Provided: the checks call this entry point (a Generator cannot be sent to the grader). Keep it. ----
def sample_seeded(logits: Tensor, temperature: float, num_samples: int, seed: int) -> Tensor:
    generator = torch.Generator(device=logits.device).manual_seed(seed)
    return sample(logits, temperature, num_samples, generator)
