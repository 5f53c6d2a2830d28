# expect: interleaved_layout
import math

import torch
from torch import Tensor


def sinusoidal_positions(seq_len: int, d_model: int) -> Tensor:
    position = torch.arange(seq_len, dtype=torch.float32)[:, None]  # (L, 1)
    div_term = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32) * (-math.log(10000.0) / d_model))  # (d/2,)
    return torch.cat((torch.sin(position * div_term), torch.cos(position * div_term)), dim=-1)
