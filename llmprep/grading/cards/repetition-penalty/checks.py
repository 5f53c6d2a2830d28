"""Hidden checks for `repetition-penalty`. The references run in float64 here, in the judge."""

import torch

from llmprep.grading.harness import close


def seen_mask(ids, v, *, union=False, last_only=False):
    b = ids.shape[0]
    mask = torch.zeros(b, v, dtype=torch.bool)
    if ids.shape[-1] == 0:
        return mask
    ids = ids[:, -1:] if last_only else ids
    mask.scatter_(1, ids, True)
    return mask.any(0, keepdim=True).expand(b, v) if union else mask


def counts_of(ids, v, *, union=False):
    b = ids.shape[0]
    counts = torch.zeros(b, v, dtype=torch.float64)
    if ids.shape[-1]:
        counts.scatter_add_(1, ids, torch.ones(ids.shape, dtype=torch.float64))
    return counts.sum(0, keepdim=True).expand(b, v) if union else counts


def rep_reference(
    logits, ids, theta, *, rule="hf", per_occurrence=False, union=False, last_only=False, invert_mask=False
):
    """Float64 HF repetition penalty; the keyword arguments produce classic mistakes, used as hints."""
    v = logits.shape[-1]
    mask = seen_mask(ids, v, union=union, last_only=last_only)
    if invert_mask:
        mask = ~mask
    power = counts_of(ids, v).clamp_min(1) if per_occurrence else torch.ones_like(logits)
    factor = theta**power
    if rule == "hf":
        penalised = torch.where(logits < 0, logits * factor, logits / factor)
    elif rule == "divide":  # CTRL as written: every seen logit divided by θ
        penalised = logits / factor
    else:  # "inverted"
        penalised = torch.where(logits < 0, logits / factor, logits * factor)
    return torch.where(mask, penalised, logits)


def rep_suspects(logits, ids, theta):
    return {
        "negative logits were divided by θ, which RAISES them: multiply negative logits by θ, divide positive ones": (
            rep_reference(logits, ids, theta, rule="divide")
        ),
        "the rule is inverted: logit < 0 → logit·θ, logit > 0 → logit/θ": rep_reference(
            logits, ids, theta, rule="inverted"
        ),
        "a token was penalised once per occurrence: apply θ once per distinct token in the row": rep_reference(
            logits, ids, theta, per_occurrence=True
        ),
        "tokens of other rows were penalised: each row uses only its own input_ids": rep_reference(
            logits, ids, theta, union=True
        ),
        "only the last token was penalised: every token in input_ids counts": rep_reference(
            logits, ids, theta, last_only=True
        ),
        "the mask is inverted: penalise the tokens that DO occur in input_ids": rep_reference(
            logits, ids, theta, invert_mask=True
        ),
    }


def fp_reference(logits, ids, freq, pres, *, union=False, presence_per_count=False, frequency_once=False, sign=-1.0):
    counts = counts_of(ids, logits.shape[-1], union=union)
    present = (counts > 0).double()
    f_term = present if frequency_once else counts
    p_term = counts if presence_per_count else present
    return logits + sign * (f_term * freq + p_term * pres)


def fp_suspects(logits, ids, freq, pres):
    return {
        "the penalties were added: SUBTRACT c·frequency_penalty + [c > 0]·presence_penalty": fp_reference(
            logits, ids, freq, pres, sign=1.0
        ),
        "the presence penalty was applied per occurrence: it is applied once, when c > 0": fp_reference(
            logits, ids, freq, pres, presence_per_count=True
        ),
        "the frequency penalty was applied once: it scales with the count c": fp_reference(
            logits, ids, freq, pres, frequency_once=True
        ),
        "tokens were counted over the whole batch: count each row's own generated_ids": fp_reference(
            logits, ids, freq, pres, union=True
        ),
    }


def away_from_zero(case, x, gap=0.05):
    return case.exact(torch.where(x.abs() < gap, x.sign() * gap + x, x))


def history(case, b, t, v, distinct=None):
    """(B, T) ids; with `distinct`, each row draws from its own few tokens (many repeats)."""
    if distinct is None:
        return case.randint(0, v, (b, t))
    rows = []
    for _ in range(b):
        pool = torch.randperm(v, generator=case.generator)[:distinct]
        rows.append(pool[case.randint(0, distinct, (t,))])
    return torch.stack(rows)


def check_rep(sub, case, logits, ids, theta):
    got = sub.call("repetition_penalty", logits, ids, theta)
    close(
        got,
        rep_reference(logits, ids, theta),
        case,
        what=f"repetition_penalty(θ={theta:g})",
        suspects=rep_suspects(logits, ids, theta),
    )


def check_fp(sub, case, logits, ids, freq, pres):
    got = sub.call("frequency_presence_penalty", logits, ids, freq, pres)
    close(
        got,
        fp_reference(logits, ids, freq, pres),
        case,
        what=f"frequency_presence_penalty(frequency={freq:g}, presence={pres:g})",
        suspects=fp_suspects(logits, ids, freq, pres),
    )


def test_positive_logits(sub, case):
    logits = away_from_zero(case, case.rand(3, 20) * 5 + 0.5)
    check_rep(sub, case, logits, history(case, 3, 6, 20), 1.3)


def test_negative_logits(sub, case):
    logits = away_from_zero(case, -case.rand(3, 20) * 5 - 0.5)
    check_rep(sub, case, logits, history(case, 3, 6, 20), 1.5)


def test_mixed_signs(sub, case):
    logits = away_from_zero(case, case.randn(4, 30, scale=3.0))
    check_rep(sub, case, logits, history(case, 4, 10, 30), 1.2)


def test_repeated_tokens(sub, case):
    # 40 tokens drawn from 4 per row: each is seen about 10 times and is still penalised once
    logits = away_from_zero(case, case.randn(3, 25, scale=3.0))
    check_rep(sub, case, logits, history(case, 3, 40, 25, distinct=4), 2.0)


def test_rows_are_independent(sub, case):
    logits = away_from_zero(case, case.randn(5, 40, scale=2.0))
    check_rep(sub, case, logits, history(case, 5, 6, 40, distinct=3), 1.4)


def test_empty_history_and_penalty_one(sub, case):
    logits = away_from_zero(case, case.randn(2, 12, scale=2.0))
    check_rep(sub, case, logits, torch.zeros(2, 0, dtype=torch.long), 1.5)
    check_rep(sub, case, logits, history(case, 2, 5, 12), 1.0)


def test_frequency_penalty(sub, case):
    logits = case.exact(case.randn(3, 20, scale=2.0))
    check_fp(sub, case, logits, history(case, 3, 30, 20, distinct=5), 0.5, 0.0)


def test_presence_penalty(sub, case):
    logits = case.exact(case.randn(3, 20, scale=2.0))
    check_fp(sub, case, logits, history(case, 3, 30, 20, distinct=5), 0.0, 0.8)


def test_both_penalties(sub, case):
    logits = case.exact(case.randn(4, 24, scale=2.0))
    ids = history(case, 4, 25, 24, distinct=6)
    check_fp(sub, case, logits, ids, 0.3, 0.6)
    check_fp(sub, case, logits, ids, -0.4, 1.1)  # a negative frequency penalty encourages repeats


def test_penalties_empty_history(sub, case):
    logits = case.exact(case.randn(2, 10))
    check_fp(sub, case, logits, torch.zeros(2, 0, dtype=torch.long), 0.7, 0.9)
