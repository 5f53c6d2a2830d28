# expect: non_power_of_two_heads[6]
import torch
from torch import Tensor


def alibi_slopes(n: int) -> list[float]:
    def power_of_two(k: int) -> list[float]:
        start = 2 ** (-8 / k)
        return [start ** (h + 1) for h in range(k)]

    return power_of_two(n)


def alibi_bias(num_heads: int, seq_len: int) -> Tensor:
    slopes = torch.tensor(alibi_slopes(num_heads))  # (H,)
    pos = torch.arange(seq_len)
    distance = (pos[:, None] - pos[None, :]).float()  # (L, L): i - j
    bias = -slopes[:, None, None] * distance  # (H, L, L)
    future = torch.ones(seq_len, seq_len, dtype=torch.bool).triu(1)  # j > i
    return bias.masked_fill(future, float("-inf"))
