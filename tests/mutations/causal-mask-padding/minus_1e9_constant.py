# expect: half_precision
import torch
from torch import Tensor


def causal_padding_mask(attention_mask: Tensor, q_len: int | None = None, dtype: str = "float32") -> Tensor:
    # the old (1 - mask) * -1e9 recipe, with -1e9 in place of the dtype's minimum
    dt = getattr(torch, dtype)
    s = attention_mask.shape[1]
    q_len = s if q_len is None else q_len
    causal = torch.ones(q_len, s).tril(s - q_len)  # 1 where key j <= query position
    keep = causal[None] * attention_mask[:, None, :].float()  # (B, q_len, S)
    return ((1.0 - keep) * -1e9)[:, None].to(dt)


def position_ids(attention_mask: Tensor) -> Tensor:
    positions = attention_mask.long().cumsum(dim=-1) - 1
    return positions.masked_fill(attention_mask == 0, 1)
