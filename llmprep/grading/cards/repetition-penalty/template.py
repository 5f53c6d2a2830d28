import torch
from torch import Tensor


def repetition_penalty(logits: Tensor, input_ids: Tensor, penalty: float) -> Tensor:
    """CTRL's repetition penalty (Keskar et al. 2019, §4.1) as Hugging Face's RepetitionPenaltyLogitsProcessor
    applies it.

    logits:    (B, V) float, next-token logits, one row per sequence.
    input_ids: (B, T) int64 in [0, V), the tokens of each sequence so far (prompt and generated alike, as HF
               does); T may be 0.
    penalty:   θ >= 1.0 (1.0 changes nothing; larger discourages repeats).
    For every token id v that occurs in input_ids[b] -- once or many times, the penalty is applied ONCE:
        logits[b, v] < 0:   logits[b, v] * θ     (more negative)
        otherwise:          logits[b, v] / θ     (closer to 0)
    Every other entry, and tokens that occur only in OTHER rows, keep their value.
    Returns a new (B, V) tensor; do not modify `logits` in place.
    (CTRL divided every logit by θ; for a negative logit that RAISES the token's probability: the bug HF's
    version fixes.)

    Not allowed here: importing transformers.
    """
    # your code
    raise NotImplementedError


def frequency_presence_penalty(
    logits: Tensor, generated_ids: Tensor, frequency_penalty: float, presence_penalty: float
) -> Tensor:
    """OpenAI's frequency and presence penalties (API reference, "frequency_penalty" / "presence_penalty").

    logits:        (B, V) float next-token logits.
    generated_ids: (B, T) int64 in [0, V), the tokens generated so far in each row; T may be 0.
    With c[b, j] = how many times token j occurs in generated_ids[b]:
        logits[b, j] - c[b, j] * frequency_penalty - (1.0 if c[b, j] > 0 else 0.0) * presence_penalty
    Penalties may be negative (they then encourage repetition). Counts are per row.
    Returns a new (B, V) tensor.
    """
    # your code
    raise NotImplementedError
