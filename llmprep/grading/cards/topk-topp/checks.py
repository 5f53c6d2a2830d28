"""Hidden checks for `topk-topp`. The reference runs in float64 here, in the judge."""

import torch

from llmprep.grading.harness import close

NEG_INF = float("-inf")


def keep_mask(logits, top_k=0, top_p=1.0, *, shift=True, p_on_original=False, keep_top=True):
    """Which entries survive (B, V) filtering; the keyword arguments produce classic mistakes, used as hints."""
    x = logits.clone()
    if top_k > 0:
        kth = x.topk(min(top_k, x.shape[-1]), dim=-1).values[..., -1:]
        x = x.masked_fill(x < kth, NEG_INF)
    if top_p < 1.0:
        ordered, order = torch.sort(logits if p_on_original else x, dim=-1, descending=True)
        probs = torch.softmax(ordered, dim=-1)
        remove = (probs.cumsum(-1) - probs >= top_p) if shift else (probs.cumsum(-1) > top_p)
        if keep_top:
            remove[..., 0] = False
        x = x.masked_fill(torch.zeros_like(remove).scatter(-1, order, remove), NEG_INF)
    return ~torch.isneginf(x)


def suspects(logits, top_k, top_p):
    found = {}
    if top_p < 1.0:
        found["the token that makes the cumulative probability reach top_p was removed; it must be kept"] = keep_mask(
            logits, top_k, top_p, shift=False
        )
        found["the most probable token was removed: always keep at least one token"] = keep_mask(
            logits, top_k, top_p, keep_top=False
        )
    if top_k > 0 and top_p < 1.0:
        found["top-p used the probabilities of all tokens; renormalise over the top-k survivors first"] = keep_mask(
            logits, top_k, top_p, p_on_original=True
        )
    if top_k > 1:
        found["one token too few is kept: keep entries >= the k-th largest (remove only those < it)"] = keep_mask(
            logits, top_k - 1
        )
        found["one token too many is kept: the k-th largest value is topk(...).values[..., -1]"] = keep_mask(
            logits, top_k + 1
        )
    return found


def boundaries(logits, top_k):
    """Every top_p value at which some row's kept set changes (mass before each token, in sorted order)."""
    x = logits.clone()
    if top_k > 0:
        kth = x.topk(min(top_k, x.shape[-1]), dim=-1).values[..., -1:]
        x = x.masked_fill(x < kth, NEG_INF)
    probs = torch.softmax(torch.sort(x, dim=-1, descending=True).values, dim=-1)
    return (probs.cumsum(-1) - probs)[:, 1:].flatten()


def pick_top_p(case, logits, top_k=0, lo=0.3, hi=0.95, accept=None):
    """A top_p far from every boundary, so rounding in the grading dtype cannot flip a token."""
    margin = 1e-3 if case.dtype_name == "float32" else 3e-2
    cuts = boundaries(logits, top_k)
    best, best_gap = None, -1.0
    for u in case.rand(300).tolist():
        top_p = lo + (hi - lo) * u
        if accept is not None and not accept(top_p):
            continue
        gap = (cuts - top_p).abs().min().item()
        if gap >= margin:
            return top_p
        if gap > best_gap:
            best, best_gap = top_p, gap
    assert best is not None, "internal: no top_p candidate accepted"
    return best


def distinct_logits(case, b, v, scale=1.0, offset=0.0):
    """Logits without ties (after rounding to the grading dtype), one scale per row if `scale` is a list."""
    scales = torch.tensor(scale if isinstance(scale, list) else [scale] * b, dtype=torch.float64)[:, None]
    for _ in range(20):
        x = case.exact(case.randn(b, v) * scales + offset)
        if all(row.unique().numel() == v for row in x):
            return x
    # low-precision dtypes: random order on a grid coarse enough to survive rounding
    ulp = torch.finfo(case.dtype).eps * max(abs(offset), 1.0)
    step = torch.maximum(scales * 0.5, torch.tensor(4 * ulp, dtype=torch.float64))
    ranks = torch.argsort(case.rand(b, v), dim=-1).to(torch.float64) - (v - 1) / 2
    return case.exact(ranks * step + offset)


def describe(mask_row):
    return "{" + ", ".join(str(i) for i in mask_row.nonzero().flatten().tolist()) + "}"


def check(sub, case, logits, top_k=0, top_p=1.0):
    kwargs = {}
    if top_k != 0:
        kwargs["top_k"] = top_k
    if top_p != 1.0:
        kwargs["top_p"] = top_p
    actual = sub.call("filter_logits", logits, **kwargs)
    expected = keep_mask(logits, top_k, top_p)
    call = f"filter_logits(logits of shape {tuple(logits.shape)}, top_k={top_k}, top_p={top_p:.4g})"
    if not isinstance(actual, torch.Tensor):
        raise AssertionError(f"{call} returned {type(actual).__name__}, expected a tensor")
    if tuple(actual.shape) != tuple(logits.shape):
        raise AssertionError(f"{call} returned shape {tuple(actual.shape)}, expected {tuple(logits.shape)}")
    got = actual.to(torch.float64)
    if torch.isnan(got).any():
        raise AssertionError(f"{call} returned NaN (overflow in exp? subtract the row max first)")
    kept = ~torch.isneginf(got)
    if not torch.equal(kept, expected):
        leaked = ~expected & kept & (got != logits)
        if leaked.any():
            value = got[leaked][0].item()
            raise AssertionError(f"{call}: a removed entry holds {value:g}; removed entries must be float('-inf')")
        row = int((kept != expected).any(-1).nonzero()[0])
        hint = next((h for h, m in suspects(logits, top_k, top_p).items() if torch.equal(kept, m)), "")
        raise AssertionError(
            f"{call}: row {row} keeps tokens {describe(kept[row])}, expected {describe(expected[row])} "
            f"({int((kept != expected).sum())} entries differ in all)" + (f"\nhint: {hint}" if hint else "")
        )
    close(got[kept], logits[kept], case, what=f"{call}: kept logits (must be unchanged)")


def test_no_filtering(sub, case):
    check(sub, case, distinct_logits(case, 3, 10))


def test_top_k_only(sub, case):
    check(sub, case, distinct_logits(case, 3, 20), top_k=5)


def test_top_k_one(sub, case):
    check(sub, case, distinct_logits(case, 4, 12), top_k=1)


def test_top_k_larger_than_vocab(sub, case):
    check(sub, case, distinct_logits(case, 2, 8), top_k=12)


def test_top_p_only(sub, case):
    logits = distinct_logits(case, 4, 30, scale=[0.5, 1.0, 2.0, 4.0])  # flat to peaked rows
    check(sub, case, logits, top_p=pick_top_p(case, logits))


def test_peaked_distribution(sub, case):
    logits = distinct_logits(case, 3, 16)
    logits[0, 5] = case.exact(logits[0].max() + torch.tensor(8.0, dtype=torch.float64))  # p(token 5) > 0.99
    check(sub, case, logits, top_p=pick_top_p(case, logits, lo=0.6, hi=0.9))


def test_top_p_zero_keeps_top_token(sub, case):
    check(sub, case, distinct_logits(case, 3, 10), top_p=0.0)


def test_top_k_then_top_p(sub, case):
    logits = distinct_logits(case, 4, 25, scale=1.5)

    def differs(top_p):  # inputs on which the order of the two filters matters
        return not torch.equal(keep_mask(logits, 6, top_p), keep_mask(logits, 6, top_p, p_on_original=True))

    check(sub, case, logits, top_k=6, top_p=pick_top_p(case, logits, top_k=6, lo=0.5, hi=0.95, accept=differs))


def test_large_logits(sub, case):
    logits = distinct_logits(case, 3, 12, scale=2.0, offset=1000.0)
    check(sub, case, logits, top_k=8, top_p=pick_top_p(case, logits, top_k=8))
