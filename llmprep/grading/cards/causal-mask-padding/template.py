import torch
from torch import Tensor


def causal_padding_mask(attention_mask: Tensor, q_len: int | None = None, dtype: str = "float32") -> Tensor:
    """The 4-D additive attention mask of batched generation with padding (as Hugging Face transformers'
    AttentionMaskConverter.to_4d builds it for eager attention).

    attention_mask: (B, S) int64 of 0/1; 1 = a real token, 0 = padding. S counts every key position: the
        cached past tokens followed by the current ones. Generation pads on the LEFT, but the rule below holds
        for any pattern (right padding too).
    q_len: how many of the S positions are queries: the LAST q_len ones (None means S: a prefill of the whole
        batch; 1: one decoding step). Query i sits at absolute position p_i = S - q_len + i.
    dtype: the NAME of the floating dtype of the result: "float32", "float16" or "bfloat16" (getattr(torch, dtype)).

    Returns a (B, 1, q_len, S) tensor of that dtype, added to the scores before the softmax (the 1 broadcasts
    over heads):
        0.0                      where key j is visible to query i of row b:  j <= p_i  and  attention_mask[b, j] == 1
        torch.finfo(dtype).min   everywhere else (NOT -inf, and not a constant like -1e9 that overflows float16)
    Fully padded rows: a padding query of a left-padded row sees no real key, so its whole row is finfo.min.
    softmax(scores + mask) is then uniform over that row, never nan (with -inf it would be 0/0 = nan); the
    outputs at padding positions are ignored anyway.
    """
    # your code
    raise NotImplementedError


def position_ids(attention_mask: Tensor) -> Tensor:
    """Position ids for a left-padded batch (Hugging Face's generation convention): each row counts its real
    tokens from 0, i.e. cumsum(attention_mask) - 1, and padding positions get 1 (any valid index; they are
    masked anyway). attention_mask: (B, S) int64 0/1; returns (B, S) int64.
    Example: [0, 0, 1, 1, 1] -> [1, 1, 0, 1, 2].
    """
    # your code
    raise NotImplementedError
