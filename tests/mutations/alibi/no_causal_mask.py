# expect: causal_mask
import math

import torch
from torch import Tensor


def alibi_slopes(n: int) -> list[float]:
    def power_of_two(k: int) -> list[float]:
        start = 2 ** (-8 / k)
        return [start ** (h + 1) for h in range(k)]

    if math.log2(n).is_integer():
        return power_of_two(n)
    closest = 2 ** math.floor(math.log2(n))
    return power_of_two(closest) + alibi_slopes(2 * closest)[0::2][: n - closest]


def alibi_bias(num_heads: int, seq_len: int) -> Tensor:
    slopes = torch.tensor(alibi_slopes(num_heads))  # (H,)
    pos = torch.arange(seq_len)
    distance = (pos[:, None] - pos[None, :]).abs().float()  # (L, L): i - j
    bias = -slopes[:, None, None] * distance  # (H, L, L)
    return bias
