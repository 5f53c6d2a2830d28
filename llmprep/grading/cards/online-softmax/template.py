import torch
from torch import Tensor


class OnlineSoftmax:
    """The online normaliser of Milakov & Gimelshein (2018): the max and the softmax denominator of each row,
    computed in ONE pass over the row's chunks, keeping only two numbers per row.

    update(chunk): chunk has shape (..., c) with c >= 1; the leading dims are the same on every call (one row
        per leading index) and the chunks arrive left to right. Values may be float("-inf") (masked entries);
        a chunk, even the first one, may be entirely -inf. Returns nothing.
    state() -> (m, d), both of the leading shape (...), in the chunk's dtype, describing ALL values seen so far:
        m = max of the values seen                  (-inf while every value seen is -inf)
        d = sum of exp(x - m) over the values seen  (exactly 0 while m is -inf; never nan)
    The checks call state() after every update. Keep only m and d: do not store the chunks.
    Values around +-1000 must work: exp(x) itself overflows float32, only exp(x - m) may be taken.
    """

    def __init__(self):
        # your code
        pass

    def update(self, chunk: Tensor) -> None:
        # your code
        raise NotImplementedError

    def state(self) -> tuple[Tensor, Tensor]:
        # your code
        raise NotImplementedError


def merge(m_a: Tensor, d_a: Tensor, m_b: Tensor, d_b: Tensor) -> tuple[Tensor, Tensor]:
    """The ⊕ of the paper: (m_a, d_a) and (m_b, d_b) are the states of two disjoint parts of the same rows;
    return the state (m, d) of their union (same shapes). An empty part has m = -inf, d = 0 and must not
    turn the result into nan; two empty parts give (-inf, 0).
    """
    # your code
    raise NotImplementedError


def online_softmax(x: Tensor, chunk_size: int) -> Tensor:
    """softmax of x over its last dim, in two passes over chunks of `chunk_size` columns (the last chunk may
    be shorter): pass 1 feeds the chunks to an OnlineSoftmax, pass 2 writes exp(chunk - m) / d chunk by chunk.
    Every row has at least one finite value; -inf entries get probability 0.

    Not allowed on this card: torch.softmax / F.softmax / x.softmax, log_softmax, logsumexp in any form.
    """
    # your code
    raise NotImplementedError
