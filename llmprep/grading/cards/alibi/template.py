import math

import torch
from torch import Tensor


def alibi_bias(num_heads: int, seq_len: int) -> Tensor:
    """The causal ALiBi attention bias of Press et al. 2022 ("Train Short, Test Long"), added to QK^T / sqrt(d_k).

    Returns a float tensor of shape (num_heads, seq_len, seq_len) with, for query i and key j,
        bias[h, i, j] = -m_h * (i - j)    for j <= i   (0 on the diagonal)
        bias[h, i, j] = float("-inf")     for j > i    (causal: the future is masked; exactly -inf)

    Slopes m_h, h = 0 .. n-1 for n = num_heads, as in the paper's official code (get_slopes):
    - n a power of two: m_h = 2 ** (-8 * (h + 1) / n), a geometric sequence starting at 2^(-8/n)
      (n = 8: 1/2, 1/4, ..., 1/256).
    - otherwise, with p the largest power of two below n: the p slopes for p heads, followed by the
      first n - p of every other slope for 2p heads (the slopes for 2p at indices 0, 2, 4, ...).
      E.g. n = 6: [2^-2, 2^-4, 2^-6, 2^-8] + [2^-1, 2^-3].

    Any torch ops are allowed.
    """
    # your code
    raise NotImplementedError
