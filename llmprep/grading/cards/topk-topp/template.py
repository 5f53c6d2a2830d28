import torch
from torch import Tensor


def filter_logits(logits: Tensor, top_k: int = 0, top_p: float = 1.0) -> Tensor:
    """Top-k then top-p (nucleus) filtering of next-token logits, as Hugging Face's TopKLogitsWarper followed by
    TopPLogitsWarper.

    logits: (B, V) float tensor, one row of vocabulary logits per sequence. Returns a NEW (B, V) tensor: the kept
    entries keep their original values, the removed ones are float("-inf"). Do not modify `logits` itself.
    Every row is filtered independently.

    1. top-k (skipped when top_k == 0): keep the top_k largest logits of each row; top_k >= V keeps all of them.
    2. top-p (skipped when top_p == 1.0), on the logits left by step 1: with p = softmax over the row of those
       logits (removed entries have probability 0), keep the smallest set of highest-probability tokens whose
       total probability reaches top_p (>= top_p). Equivalently, sorting the row by decreasing probability,
       a token is removed when the sum of the probabilities of the tokens ranked strictly before it is already
       >= top_p. The most probable token is always kept, even for top_p = 0.0.

    Ties are not tested. torch.topk, torch.sort, torch.softmax, cumsum, scatter are all allowed here.
    Not allowed: importing transformers.
    """
    # your code
    raise NotImplementedError
