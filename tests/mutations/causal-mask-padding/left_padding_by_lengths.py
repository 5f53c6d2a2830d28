# expect: right_padding
import torch
from torch import Tensor


def causal_padding_mask(attention_mask: Tensor, q_len: int | None = None, dtype: str = "float32") -> Tensor:
    # assumes the padding is always on the left: the first `S - length` keys are padding
    dt = getattr(torch, dtype)
    b, s = attention_mask.shape
    q_len = s if q_len is None else q_len
    lengths = attention_mask.sum(dim=-1)
    k_pos = torch.arange(s)[None, :]
    real = k_pos >= (s - lengths)[:, None]  # (B, S)
    q_pos = torch.arange(s - q_len, s)[:, None]
    visible = (k_pos <= q_pos)[None] & real[:, None, :]
    mask = torch.zeros(b, 1, q_len, s, dtype=dt)
    return mask.masked_fill(~visible[:, None], torch.finfo(dt).min)


def position_ids(attention_mask: Tensor) -> Tensor:
    positions = attention_mask.long().cumsum(dim=-1) - 1
    return positions.masked_fill(attention_mask == 0, 1)
