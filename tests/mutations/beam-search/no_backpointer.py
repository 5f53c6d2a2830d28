# expect: no_eos
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
    def final_score(tokens: list[int], s: float) -> float:
        return s / ((5 + len(tokens)) / 6) ** alpha  # GNMT length penalty

    alive: list[tuple[list[int], float]] = [([], 0.0)]  # one hypothesis, not beam_size copies of it
    finished: list[tuple[list[int], float]] = []
    for _ in range(max_len):
        prefixes = torch.tensor([[bos_id, *tokens] for tokens, _ in alive], dtype=torch.long)
        log_probs = next_log_probs(prefixes).double().cpu()  # (n_alive, V), summed in float64
        scores = torch.tensor([s for _, s in alive], dtype=torch.float64)[:, None] + log_probs
        vocab = scores.shape[1]
        order = scores.flatten().argsort(descending=True)
        next_alive = []
        for rank, flat in enumerate(order.tolist()):
            parent, token = divmod(flat, vocab)  # the backpointer: which hypothesis this extends
            tokens, s = alive[len(next_alive) % len(alive)][0] + [token], scores[parent, token].item()
            if token == eos_id:
                if rank < beam_size:  # an EOS ranked below the top beam_size is dropped
                    finished.append((tokens, final_score(tokens, s)))
            else:
                next_alive.append((tokens, s))
                if len(next_alive) == beam_size:
                    break
        alive = next_alive
        if len(finished) >= beam_size:
            break
    else:  # ran out of steps: the unfinished hypotheses count as they are
        finished += [(tokens, final_score(tokens, s)) for tokens, s in alive]
    finished.sort(key=lambda item: item[1], reverse=True)
    return finished[:beam_size]


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
