# expect: first_position
import math

import torch
from torch import Tensor


def sinusoidal_positions(seq_len: int, d_model: int) -> Tensor:
    position = torch.arange(1, seq_len + 1, dtype=torch.float32)[:, None]  # (L, 1)
    div_term = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32) * (-math.log(10000.0) / d_model))  # (d/2,)
    pe = torch.zeros(seq_len, d_model)
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)
    return pe
