import torch
from torch import Tensor


def speculative_step(p: Tensor, q: Tensor, draft: Tensor, generator: torch.Generator) -> tuple[Tensor, Tensor]:
    """One accept/reject step of speculative sampling (Leviathan et al. 2023, Algorithm 1; Chen et al. 2023,
    Algorithm 2), for B independent positions at once.

    p:     (B, V) float, the target model's next-token probabilities (each row sums to 1; entries may be 0)
    q:     (B, V) float, the draft model's next-token probabilities at the same positions
    draft: (B,) int64, the token x_b the draft model sampled from q[b] (so q[b, x_b] > 0)
    For every row b:
        accept x_b with probability min(1, p[b, x_b] / q[b, x_b]);
        otherwise return a token sampled from the residual distribution norm(max(0, p[b] - q[b]))
        (max(0, p - q) renormalised to sum to 1).
    returns (tokens, accepted): tokens (B,) int64, x_b where accepted else the residual sample;
            accepted (B,) bool.
    Then every returned token is distributed exactly as p[b], whatever q is: that is the point of the method.

    Rows are independent; work on all of them at once (B is 10^5 in the checks: no Python loop over rows).
    ALL randomness comes from `generator` (torch.rand(..., generator=generator),
    torch.multinomial(..., generator=generator)): the same seed must give the same result. Draw uniforms in
    float32 even when p is bfloat16 (a bfloat16 torch.rand has steps of 1/256: too coarse for small p/q).
    Edge cases: rows where p == q are always accepted, and their residual is all zeros (it must not crash the
    sampling of the other rows); rows where p[b, x_b] = 0 are always rejected.

    Not allowed here: importing transformers or vllm.
    """
    # your code
    raise NotImplementedError


# ---- Provided: the checks call this entry point (a Generator cannot be sent to the grader). Keep it. ----
def speculative_step_seeded(p: Tensor, q: Tensor, draft: Tensor, seed: int) -> tuple[Tensor, Tensor]:
    generator = torch.Generator(device=p.device).manual_seed(seed)
    return speculative_step(p, q, draft, generator)
