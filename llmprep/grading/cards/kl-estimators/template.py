import torch
from torch import Tensor


def kl_estimators(logp: Tensor, logq: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """Schulman's three per-sample estimators of KL(q || p) (J. Schulman, "Approximating KL Divergence", 2020).

    logp, logq: float tensors of the same (any) shape: log p(x) and log q(x) at samples x drawn from q.
    With log r = logp - logq, i.e. r = p(x) / q(x), return the tuple (k1, k2, k3), each of the input's shape:
        k1 = -log r                   unbiased; high variance; negative for some samples
        k2 = (log r)^2 / 2            biased (exact only as p -> q); low variance; always >= 0
        k3 = (r - 1) - log r          unbiased (E_q[r] = 1); low variance; always >= 0
    so that E_{x~q}[k1] = E_{x~q}[k3] = KL(q || p).

    In GRPO (DeepSeekMath eq. 4) the samples come from the policy being trained: q = π_θ and p = π_ref, giving
    per token k3 = π_ref/π_θ - log(π_ref/π_θ) - 1.

    Must be finite and accurate when logp and logq are far below 0 (e.g. around -1000, log-probs of whole
    sequences): exp(logp) and exp(logq) underflow to 0 there, while their ratio is an ordinary number.
    Also for |log r| up to about 20.
    """
    # your code
    raise NotImplementedError
