"""Hidden checks for `kv-cache`. The reference runs in float64 here, in the judge."""

import math

import torch

from llmprep.grading.harness import close

NAMES = ("wq.weight", "wq.bias", "wk.weight", "wk.bias", "wv.weight", "wv.bias", "wo.weight", "wo.bias")


def project(p, x, name, h):
    b, length, d = x.shape
    return (x @ p[f"{name}.weight"].T + p[f"{name}.bias"]).reshape(b, length, h, d // h).transpose(1, 2)


def reference(p, x, h, start=0, *, mask="causal", scale=None, merge_wrong=False):
    """Outputs of the tokens x[:, start:] attending over x[:, :end] (float64); keywords give classic mistakes."""
    b, total, d = x.shape
    length = total - start
    dh = d // h
    q = project(p, x[:, start:], "wq", h)
    k, v = project(p, x, "wk", h), project(p, x, "wv", h)
    scores = q @ k.transpose(-2, -1) / (math.sqrt(dh) if scale is None else scale)
    if mask == "causal":
        scores = scores.masked_fill(torch.ones(length, total, dtype=torch.bool).triu(start + 1), float("-inf"))
    elif mask == "no_offset":  # triu(1) of the rectangular (L, L_past + L) scores
        scores = scores.masked_fill(torch.ones(length, total, dtype=torch.bool).triu(1), float("-inf"))
    ctx = torch.softmax(scores, dim=-1) @ v
    merged = ctx.reshape(b, length, d) if merge_wrong else ctx.transpose(1, 2).reshape(b, length, d)
    return merged @ p["wo.weight"].T + p["wo.bias"]


def suspects(p, x, h, start=0):
    d = x.shape[-1]
    found = {
        "scores look unscaled: divide QK^T by sqrt(d_head)": reference(p, x, h, start, scale=1.0),
        "scores are scaled by sqrt(d_model); scale by sqrt(d_head)": reference(p, x, h, start, scale=math.sqrt(d)),
        "heads are merged in the wrong order: transpose(1, 2) back to (B, L, H, d_head) before reshaping": reference(
            p, x, h, start, merge_wrong=True
        ),
    }
    if x.shape[1] - start > 1:
        found["no causal mask: token i must not attend to later tokens (mask j > i with -inf)"] = reference(
            p, x, h, start, mask="none"
        )
    if start > 0:
        found[
            "the causal mask ignores the cache: with P cached tokens, new query i may see keys up to P + i (triu(P + 1))"
        ] = reference(p, x, h, start, mask="no_offset")
    return found


def build(sub, case, d_model, heads):
    module = sub.new("CausalSelfAttention", d_model, heads)
    expected = {n: [d_model, d_model] if n.endswith("weight") else [d_model] for n in NAMES}
    assert module.param_shapes == expected, (
        f"parameters {module.param_shapes}, expected exactly {expected}"
        "\nhint: create exactly self.wq, self.wk, self.wv, self.wo = nn.Linear(d_model, d_model), with bias"
    )
    params = case.params_for(expected)
    module.load(params)
    return module, params


def unpack(reply, shape):
    """(out, (k, v)) from the reply, with readable failures; `shape` is the expected cache shape."""
    if not (isinstance(reply, tuple | list) and len(reply) == 2):
        raise AssertionError(f"forward must return (out, cache), got {type(reply).__name__}")
    out, cache = reply
    if not (isinstance(cache, tuple | list) and len(cache) == 2 and all(isinstance(t, torch.Tensor) for t in cache)):
        raise AssertionError(f"the returned cache must be a tuple (k, v) of tensors, got {type(cache).__name__}")
    for name, t in zip("kv", cache, strict=True):
        if tuple(t.shape) != shape:
            raise AssertionError(
                f"cache {name}: shape {tuple(t.shape)}, expected (B, H, L_past + L, d_head) = {shape}"
                "\nhint: keep the cache as (B, num_heads, length, d_head) and concatenate along dim=2"
            )
    return out, cache


def decode(sub, case, chunks, *, b=2, d=16, h=4):
    """Feed the sequence chunk by chunk (the submission's own cache passed back) and compare every step."""
    module, p = build(sub, case, d, h)
    x = case.exact(case.randn(b, sum(chunks), d))
    cache = None
    start = 0
    for size in chunks:
        end = start + size
        piece = x[:, start:end]
        reply = module(piece) if cache is None else module(piece, cache=cache)
        out, cache = unpack(reply, (b, h, end, d // h))
        close(
            out,
            reference(p, x[:, :end], h, start),
            case,
            what=f"output of tokens {start}..{end - 1} (cache length {start})",
            suspects=suspects(p, x[:, :end], h, start),
        )
        start = end
    check_cache(cache, p, x, h, case)


CACHE_HINT = "the cache holds k = wk(x) and v = wv(x) split into heads, (B, H, L, d_head), unscaled, oldest first"


def check_cache(cache, p, x, h, case):
    for name, got, proj in (("keys", cache[0], "wk"), ("values", cache[1], "wv")):
        try:
            close(got, project(p, x, proj, h), case, what=f"cached {name} ({proj}(x) split into heads)")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\nhint: {CACHE_HINT}") from None


def test_parameters(sub, case):
    build(sub, case, 16, 2)


def test_full_sequence(sub, case):
    decode(sub, case, [6])


def test_returned_cache(sub, case):
    module, p = build(sub, case, 12, 3)
    x = case.exact(case.randn(2, 5, 12))
    _, cache = unpack(module(x), (2, 3, 5, 4))
    check_cache(cache, p, x, 3, case)


def test_token_by_token(sub, case):
    decode(sub, case, [1] * 6)


def test_prefill_then_tokens(sub, case):
    decode(sub, case, [4, 1, 1, 1])


def test_chunk_after_prefill(sub, case):
    decode(sub, case, [3, 3, 2])


def test_single_token_without_cache(sub, case):
    decode(sub, case, [1], b=3)


def test_cache_shapes_grow(sub, case):
    # B = 3, H = 2, d_head = 4 and lengths 5, 6, 9: every axis has its own size
    decode(sub, case, [5, 1, 3], b=3, d=8, h=2)
