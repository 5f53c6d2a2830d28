import math

import torch
from torch import Tensor


def sinusoidal_positions(seq_len: int, d_model: int) -> Tensor:
    """The fixed positional encoding of "Attention Is All You Need" (Vaswani et al. 2017, section 3.5).

    Returns a float tensor PE of shape (seq_len, d_model) (no batch axis), for positions pos = 0 .. seq_len-1
    and pair index i = 0 .. d_model/2 - 1:
        PE[pos, 2i]     = sin(pos / 10000 ** (2i / d_model))
        PE[pos, 2i + 1] = cos(pos / 10000 ** (2i / d_model))
    d_model is even. Any torch ops are allowed.
    """
    # your code
    raise NotImplementedError
