"""Hidden checks for `causal-mask-padding`: masks are compared exactly (0 and finfo(dtype).min)."""

import torch

DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


def left_padded(lengths, s):
    return torch.stack([torch.cat([torch.zeros(s - n), torch.ones(n)]) for n in lengths]).long()


def right_padded(lengths, s):
    return torch.stack([torch.cat([torch.ones(n), torch.zeros(s - n)]) for n in lengths]).long()


def visible(attention_mask, q_len=None, *, offset=True, diagonal=True, pad_keys=True, pad_queries=False, causal=True):
    """(B, 1, q_len, S) bool, True = visible; the keywords give the classic mistakes."""
    b, s = attention_mask.shape
    q_len = s if q_len is None else q_len
    q_pos = torch.arange(s - q_len, s)[:, None] if offset else torch.arange(q_len)[:, None]
    k_pos = torch.arange(s)[None, :]
    keep = torch.ones(b, q_len, s, dtype=torch.bool)
    if causal:
        keep &= ((k_pos <= q_pos) if diagonal else (k_pos < q_pos))[None]
    if pad_keys:
        keep &= (attention_mask == 1)[:, None, :]
    if pad_queries:
        keep &= (attention_mask[:, s - q_len :] == 1)[:, :, None]
    return keep[:, None]


def additive(keep, dtype, fill=None):
    fill = torch.finfo(dtype).min if fill is None else fill
    return torch.zeros(keep.shape, dtype=dtype).masked_fill(~keep, fill)


def suspects(attention_mask, q_len, dtype):
    s = attention_mask.shape[1]
    keep = visible(attention_mask, q_len)
    found = {}
    if dtype != torch.float32:
        found[f"finfo(float32).min (or -1e9) overflows {dtype} to -inf: fill with torch.finfo({dtype}).min"] = additive(
            keep, dtype, float("-inf")
        )
    found |= {
        "blocked entries must be torch.finfo(dtype).min, not -inf: a fully padded row would give nan": additive(
            keep, dtype, float("-inf")
        ),
        "the mask is inverted: 0 where attending is allowed, finfo.min where it is not": additive(~keep, dtype),
        "padding masks the queries (rows) instead of the keys (columns): mask key j when attention_mask[b, j] == 0": (
            additive(visible(attention_mask, q_len, pad_keys=False, pad_queries=True), dtype)
        ),
        "the padding is ignored: also mask the keys where attention_mask is 0": additive(
            visible(attention_mask, q_len, pad_keys=False), dtype
        ),
        "the causal part is missing: query i must not see keys after its own position": additive(
            visible(attention_mask, q_len, causal=False), dtype
        ),
        "the diagonal is masked: a query sees its own key (j <= i, not j < i)": additive(
            visible(attention_mask, q_len, diagonal=False), dtype
        ),
    }
    if q_len is not None and q_len < s:
        found["the causal offset is missing: query i sits at absolute position S - q_len + i"] = additive(
            visible(attention_mask, q_len, offset=False), dtype
        )
    return found


def draw(mask_row):
    """One (q_len, S) slice: 1 = visible (0.0), . = finfo(dtype).min, x = any other value (-inf, -1e9...)."""
    low = torch.finfo(mask_row.dtype).min
    return "\n".join(
        "  " + " ".join("1" if x == 0 else "." if x == low else "x" for x in row) for row in mask_row.tolist()
    )


def check(sub, attention_mask, q_len=None, dtype="float32"):
    args = (attention_mask,) if q_len is None else (attention_mask, q_len)
    got = (
        sub.call("causal_padding_mask", *args, dtype=dtype)
        if dtype != "float32"
        else sub.call("causal_padding_mask", *args)
    )
    dt = DTYPES[dtype]
    b, s = attention_mask.shape
    rows = s if q_len is None else q_len
    call = (
        f"causal_padding_mask(attention_mask of shape {(b, s)}"
        + ("" if q_len is None else f", q_len={q_len}")
        + (f", dtype={dtype!r})" if dtype != "float32" else ")")
    )
    assert isinstance(got, torch.Tensor), f"{call} returned {type(got).__name__}, expected a tensor"
    assert tuple(got.shape) == (b, 1, rows, s), f"{call}: shape {tuple(got.shape)}, expected {(b, 1, rows, s)}" + (
        " (B, 1, q_len, S): the 1 is the head axis, broadcast over heads" if got.dim() == 3 else ""
    )
    assert got.dtype == dt, f"{call}: dtype {got.dtype}, expected {dt}"
    want = additive(visible(attention_mask, q_len), dt)
    if torch.equal(got, want):
        return
    hint = next((h for h, m in suspects(attention_mask, q_len, dt).items() if torch.equal(got, m)), "")
    odd = got[(got != 0) & (got != torch.finfo(dt).min)]
    if not hint and odd.numel():
        hint = f"every entry must be 0.0 or torch.finfo({dtype}).min = {torch.finfo(dt).min:g}; found {odd[0].item():g}"
    row = int(((got != want).flatten(1).any(-1)).nonzero()[0])
    raise AssertionError(
        f"{call}: row b={row} (attention_mask {attention_mask[row].tolist()}) is, with 1 = visible (0.0), "
        f". = finfo.min, x = another value,\n{draw(got[row, 0])}\nexpected\n{draw(want[row, 0])}"
        + (f"\nhint: {hint}" if hint else "")
    )


def test_no_padding(sub, case):
    check(sub, torch.ones(2, 5, dtype=torch.long))


def test_left_padding(sub, case):
    s = 7
    lengths = [s, *case.ints(3, 1, s)]
    check(sub, left_padded(lengths, s))


def test_right_padding(sub, case):
    s = 6
    check(sub, right_padded([s, *case.ints(2, 1, s)], s))


def test_shape_and_dtype(sub, case):
    check(sub, left_padded([3, 2], 3))


def test_fully_padded_rows_no_nan(sub, case):
    s = 6
    attention_mask = left_padded([6, 2, 4], s)  # rows 1 and 2 start with padding queries that see nothing
    check(sub, attention_mask)
    got = sub.call("causal_padding_mask", attention_mask).float()
    scores = case.randn(3, 2, s, s).float()
    probs = torch.softmax(scores + got, dim=-1)
    assert torch.isfinite(probs).all(), (
        "softmax(scores + mask) has nan in fully padded rows: blocked entries must be finfo.min, not -inf"
    )


def test_half_precision(sub, case):
    attention_mask = left_padded([5, 3], 5)
    for dtype in ("float16", "bfloat16"):
        check(sub, attention_mask, dtype=dtype)


def test_decode_step(sub, case):
    s = 9
    check(sub, left_padded([9, *case.ints(3, 1, 9)], s), q_len=1)  # one new token per row: only padding is masked


def test_prefill_with_past(sub, case):
    s = 8
    check(sub, left_padded([8, 5, 3], s), q_len=3)  # 5 cached positions, 3 new queries at positions 5, 6, 7


def check_positions(sub, attention_mask):
    got = sub.call("position_ids", attention_mask)
    want = (attention_mask.cumsum(-1) - 1).masked_fill(attention_mask == 0, 1)
    assert isinstance(got, torch.Tensor), f"position_ids returned {type(got).__name__}, expected a tensor"
    assert tuple(got.shape) == tuple(want.shape), (
        f"position_ids: shape {tuple(got.shape)}, expected {tuple(want.shape)}"
    )
    assert not got.is_floating_point(), f"position_ids: dtype {got.dtype}, expected an integer tensor (int64)"
    if torch.equal(got.long(), want):
        return
    row = int((got.long() != want).any(-1).nonzero()[0])
    hints = {
        "positions count every slot: count only real tokens, cumsum(attention_mask) - 1": torch.arange(
            attention_mask.shape[1]
        ).expand_as(want),
        "padding positions must be 1 (masked_fill(attention_mask == 0, 1))": attention_mask.cumsum(-1) - 1,
        "off by one: the first real token has position 0 (cumsum - 1)": attention_mask.cumsum(-1).masked_fill(
            attention_mask == 0, 1
        ),
    }
    hint = next((h for h, m in hints.items() if torch.equal(got.long(), m)), "")
    raise AssertionError(
        f"position_ids: row {row} with attention_mask {attention_mask[row].tolist()} gave {got[row].tolist()}, "
        f"expected {want[row].tolist()}" + (f"\nhint: {hint}" if hint else "")
    )


def test_position_ids(sub, case):
    check_positions(sub, left_padded([6, *case.ints(3, 1, 6)], 6))
    check_positions(sub, torch.ones(2, 4, dtype=torch.long))
