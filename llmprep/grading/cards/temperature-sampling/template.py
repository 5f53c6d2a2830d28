import torch
from torch import Tensor


def sample(logits: Tensor, temperature: float, num_samples: int, generator: torch.Generator) -> Tensor:
    """Sample next-token ids from logits with temperature.

    logits: (B, V) float, one row of vocabulary logits per sequence; some entries may be float("-inf")
            (forbidden tokens: they must never be sampled). Every row has at least one finite entry.
    temperature: float >= 0.
        temperature > 0:  each row's distribution is softmax(logits / temperature) (T < 1 sharpens, T > 1
                          flattens); draw num_samples ids per row, independently and WITH replacement.
        temperature == 0: greedy decoding, the limit T -> 0: every sample is the row's argmax (no division by 0).
    generator: a torch.Generator on logits' device. ALL randomness must come from it (generator=generator in
               torch.multinomial / torch.rand / torch.empty(...).exponential_), so that the same seed gives the
               same samples and the global random state is neither used nor changed.
    returns (B, num_samples) int64 token ids.

    Must work for logits around 1000 (a stable softmax). torch.softmax and torch.multinomial are allowed.
    Not allowed here: importing transformers.
    """
    # your code
    raise NotImplementedError


# ---- Provided: the checks call this entry point (a Generator cannot be sent to the grader). Keep it. ----
def sample_seeded(logits: Tensor, temperature: float, num_samples: int, seed: int) -> Tensor:
    generator = torch.Generator(device=logits.device).manual_seed(seed)
    return sample(logits, temperature, num_samples, generator)
