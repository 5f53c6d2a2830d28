from collections.abc import Callable

import torch
from torch import Tensor


def beam_search(
    next_log_probs: Callable[[Tensor], Tensor],
    bos_id: int,
    eos_id: int,
    beam_size: int,
    max_len: int,
    alpha: float = 0.0,
) -> list[tuple[list[int], float]]:
    """Beam search with EOS handling and the GNMT length penalty, for ONE source sequence.

    next_log_probs(prefixes) -> log_probs: the model. prefixes is a (n, t) int64 tensor of n prefixes of the same
        length t, each starting with bos_id; it returns (n, V) float log-probabilities of the next token. Call it
        on all live hypotheses of a step at once. It refuses a prefix that contains eos_id.
    A hypothesis y is its list of generated tokens (bos_id excluded); s(y) is the sum of their log-probs.

    Length penalty (Wu et al. 2016, GNMT, §7): lp(y) = ((5 + |y|) / 6) ** alpha, where |y| counts the generated
    tokens, the final eos_id included. A hypothesis' final score is s(y) / lp(y); alpha = 0 gives plain s(y).

    The search (as fairseq and Hugging Face do it, with early stopping):
        alive = [[]] (ONE empty hypothesis, s = 0); finished = []
        for step = 1 .. max_len:
            score every extension of every alive hypothesis by every token v: s(y) + log p(v | bos, y)
            rank all these candidates by that raw sum s (no length penalty), best first, and walk the ranking:
              - a candidate ending in eos_id goes to `finished` if its rank is < beam_size (0-based), and is
                dropped otherwise; finished hypotheses are never extended again;
              - any other candidate becomes alive for the next step, until beam_size are alive.
            if len(finished) >= beam_size: stop.
        if the loop ran all max_len steps without stopping, the alive hypotheses (no eos_id, |y| = max_len)
        are added to `finished` as they are.
    returns the finished hypotheses as (tokens, final score) pairs, best final score first, at most beam_size
    of them: e.g. [([4, 2, eos_id], -1.73), ([4, 7, 1, eos_id], -2.05)].

    next_log_probs returns the grading dtype (float32, or bfloat16 with --dtype bfloat16): accumulate the sums
    s(y) in float32 or float64, as generation code does. The vocabulary has more than beam_size tokens; the
    checks have no ties. Not allowed: importing transformers or fairseq.
    """
    # your code
    raise NotImplementedError


# ---- Provided: the checks call this with a toy model's table (a function cannot be sent to the grader). ----
# The toy model: the log-probs of the next token depend on the prefix length and its last token.
def run_beam_search(table: Tensor, bos_id: int, eos_id: int, beam_size: int, max_len: int, alpha: float = 0.0):
    def next_log_probs(prefixes: Tensor) -> Tensor:
        if prefixes.dim() != 2 or prefixes.shape[0] == 0 or not bool((prefixes[:, 0] == bos_id).all()):
            raise ValueError("next_log_probs wants a non-empty (n, t) int64 tensor of prefixes starting with bos_id")
        if bool((prefixes[:, 1:] == eos_id).any()):
            raise ValueError("a finished hypothesis (it contains eos_id) was extended; finished ones stay finished")
        if prefixes.shape[1] > table.shape[0]:
            raise ValueError(f"prefixes of length {prefixes.shape[1]}: more than max_len tokens were generated")
        return table[prefixes.shape[1] - 1, prefixes[:, -1]]

    return beam_search(next_log_probs, bos_id, eos_id, beam_size, max_len, alpha)
