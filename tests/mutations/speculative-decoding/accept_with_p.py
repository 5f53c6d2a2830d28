# expect: acceptance_rate
import torch
from torch import Tensor


def speculative_step(p: Tensor, q: Tensor, draft: Tensor, generator: torch.Generator) -> tuple[Tensor, Tensor]:
    index = draft.unsqueeze(-1)
    p_x = p.gather(-1, index).squeeze(-1)  # p[b, x_b]
    u = torch.rand(p_x.shape, generator=generator, device=p.device)  # float32 even for bfloat16 inputs
    accepted = u < p_x  # probability min(1, p/q): u < 1 always holds when p >= q
    residual = (p - q).clamp_min(0)
    # a row with p == q has an all-zero residual; it is always accepted, so any valid distribution will do there
    empty = residual.sum(-1, keepdim=True) <= 0
    residual = torch.where(empty, p, residual)
    resampled = torch.multinomial(residual, 1, generator=generator).squeeze(-1)  # multinomial normalises
    tokens = torch.where(accepted, draft, resampled)
    return tokens, accepted


# ---- Provided: the checks call this entry point (a Generator cannot be sent to the grader). Keep it. ----
def speculative_step_seeded(p: Tensor, q: Tensor, draft: Tensor, seed: int) -> tuple[Tensor, Tensor]:
    generator = torch.Generator(device=p.device).manual_seed(seed)
    return speculative_step(p, q, draft, generator)
