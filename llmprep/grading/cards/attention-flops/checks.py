"""Hidden checks for `attention-flops`: attention_flops(seq_len, d_model, num_heads, batch=1) -> dict of ints.

The formulas include the output projection W_O (2 s D^2), which Note 004 omitted.
"""

import pytest

KEYS = ("qkv_proj", "qk_scores", "scale", "softmax", "attn_v", "out_proj", "total")


def reference(s, d, h, b=1):
    terms = {
        "qkv_proj": 6 * s * d * d,
        "qk_scores": 2 * s * s * d,
        "scale": h * s * s,
        "softmax": 3 * h * s * s,
        "attn_v": 2 * s * s * d,
        "out_proj": 2 * s * d * d,
    }
    terms = {k: v * b for k, v in terms.items()}
    terms["total"] = sum(terms.values())
    return terms


def mistakes(key, s, d, h, b):
    """Classic wrong values of one term, with the hint each one deserves."""
    want = reference(s, d, h, b)
    dk = d // h
    found = {
        "qkv_proj": {
            3 * s * d * d * b: "count 2 FLOPs per multiply-add: 3 projections * 2 * s * D^2",
            2 * s * d * d * b: "there are three projections (Q, K and V): 6 s D^2",
        },
        "qk_scores": {
            2 * s * s * dk * b: "that is one head: all h heads together cost h * 2 s^2 d_k = 2 s^2 D",
            s * s * d * b: "count 2 FLOPs per multiply-add: 2 s^2 D",
        },
        "attn_v": {
            2 * s * s * dk * b: "that is one head: all h heads together cost h * 2 s^2 d_k = 2 s^2 D",
            s * s * d * b: "count 2 FLOPs per multiply-add: 2 s^2 D",
        },
        "scale": {s * s * b: "every head has its own s x s scores: h * s^2"},
        "softmax": {3 * s * s * b: "every head has its own s x s scores: 3 * h * s^2"},
        "out_proj": {0: "the output projection W_O costs 2 s D^2 (Note 004 left it out)"},
        "total": {
            want["total"] - want["out_proj"]: "total is missing the output projection W_O, 2 s D^2 (Note 004's slip)",
            want["total"] - want["scale"] - want["softmax"]: "total must also include scale and softmax",
        },
    }[key]
    if b > 1:
        found.setdefault(want[key] // b, "multiply every term by batch")
        if key == "total":
            found.setdefault(want["total"] - want["out_proj"] + want["out_proj"] // b, "multiply out_proj by batch")
    return found


def ask(sub, s, d, h, b=None):
    got = sub.call("attention_flops", s, d, h) if b is None else sub.call("attention_flops", s, d, h, batch=b)
    assert isinstance(got, dict), f"returned {type(got).__name__}, expected a dict"
    missing = [k for k in KEYS if k not in got]
    extra = sorted(set(got) - set(KEYS))
    assert not missing and not extra, f"keys: missing {missing}, unexpected {extra}; expected exactly {list(KEYS)}"
    return got


def check(sub, key, s, d, h, b=1):
    got = ask(sub, s, d, h, b if b != 1 else None)[key]
    want = reference(s, d, h, b)[key]
    if got == want and isinstance(got, int) and not isinstance(got, bool):
        return
    message = f"attention_flops(seq_len={s}, d_model={d}, num_heads={h}, batch={b})[{key!r}] = {got!r}, expected {want}"
    if got == want:
        raise AssertionError(message + f" as an int, not {type(got).__name__}\nhint: use integer arithmetic")
    hint = mistakes(key, s, d, h, b).get(got)
    raise AssertionError(message + (f"\nhint: {hint}" if hint else ""))


def sizes(case):
    h = 2 ** case.ints(1, 1, 5)[0]  # 2..16 heads: a one-head formula shows
    return case.ints(1, 3, 300)[0], h * case.ints(1, 2, 40)[0], h


def test_keys(sub, case):
    ask(sub, *sizes(case))


def test_integer_counts(sub, case):
    s, d, h = sizes(case)
    got = ask(sub, s, d, h)
    bad = {k: type(v).__name__ for k, v in got.items() if not isinstance(v, int) or isinstance(v, bool)}
    assert not bad, f"every value must be a Python int; got {bad}\nhint: use integer arithmetic only (no '/')"


@pytest.mark.parametrize("key", ["qkv_proj", "qk_scores", "scale", "softmax", "attn_v", "out_proj", "total"])
def test_term(sub, case, key):
    check(sub, key, *sizes(case))


def test_batch(sub, case):
    s, d, h = sizes(case)
    b = case.ints(1, 2, 9)[0]
    for key in KEYS:
        check(sub, key, s, d, h, b)


def test_head_count_invariance(sub, case):
    s = case.ints(1, 3, 100)[0]
    for h in (1, 4, 16):
        for key in KEYS:
            check(sub, key, s, 64, h)


def test_known_values(sub, case):
    # s = 4096, D = 4096, h = 32 (a Llama-2-7B layer): 8 s D^2 + 4 s^2 D + 4 h s^2
    s, d, h = 4096, 4096, 32
    got = ask(sub, s, d, h)
    assert got["total"] == reference(s, d, h)["total"], (
        f"total for s=D=4096, h=32 is {got['total']!r}, expected {reference(s, d, h)['total']} (8sD^2 + 4s^2D + 4hs^2)"
        + (
            "\nhint: the output projection W_O is missing (Note 004's slip)"
            if got["total"] == 6 * s * d * d + 4 * s * s * d + 4 * h * s * s
            else ""
        )
    )


def test_large_model(sub, case):
    for key in KEYS:
        check(sub, key, 131_072, 16_384, 128, 64)
