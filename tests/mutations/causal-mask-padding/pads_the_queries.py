# expect: left_padding
import torch
from torch import Tensor


def causal_padding_mask(attention_mask: Tensor, q_len: int | None = None, dtype: str = "float32") -> Tensor:
    dt = getattr(torch, dtype)
    b, s = attention_mask.shape
    q_len = s if q_len is None else q_len
    device = attention_mask.device
    q_pos = torch.arange(s - q_len, s, device=device)[:, None]  # absolute positions of the queries
    k_pos = torch.arange(s, device=device)[None, :]
    visible = (k_pos <= q_pos)[None] & (attention_mask[:, s - q_len :, None] == 1)  # (B, q_len, S)
    mask = torch.zeros(b, 1, q_len, s, dtype=dt, device=device)
    return mask.masked_fill(~visible[:, None], torch.finfo(dt).min)


def position_ids(attention_mask: Tensor) -> Tensor:
    positions = attention_mask.long().cumsum(dim=-1) - 1
    return positions.masked_fill(attention_mask == 0, 1)
