"""Hidden checks for `gqa`. The reference runs in float64 here, in the judge."""

import math

import pytest
import torch

from llmprep.grading.harness import close


def shapes(d_model, heads, kv_heads):
    d_kv = kv_heads * (d_model // heads)
    return {
        "wq.weight": [d_model, d_model],
        "wq.bias": [d_model],
        "wk.weight": [d_kv, d_model],
        "wk.bias": [d_kv],
        "wv.weight": [d_kv, d_model],
        "wv.bias": [d_kv],
        "wo.weight": [d_model, d_model],
        "wo.bias": [d_model],
    }


def reference(p, x, h, h_kv, mask=None, *, grouping="interleave", scale=None, softmax_dim=-1, merge_wrong=False):
    """Float64 grouped-query attention; the keyword arguments produce the classic mistakes, used as hints."""
    b, length, d = x.shape
    dh = d // h

    def split(t, heads):
        return t.reshape(b, length, heads, dh).transpose(1, 2)

    q = split(x @ p["wq.weight"].T + p["wq.bias"], h)
    k = split(x @ p["wk.weight"].T + p["wk.bias"], h_kv)
    v = split(x @ p["wv.weight"].T + p["wv.bias"], h_kv)
    n_rep = h // h_kv
    if grouping == "interleave":  # head h -> KV head h // n_rep
        k, v = k.repeat_interleave(n_rep, dim=1), v.repeat_interleave(n_rep, dim=1)
    else:  # tiled: head h -> KV head h % h_kv
        k, v = k.repeat(1, n_rep, 1, 1), v.repeat(1, n_rep, 1, 1)
    scores = q @ k.transpose(-2, -1) / (math.sqrt(dh) if scale is None else scale)
    if mask is not None:
        scores = scores.masked_fill(mask, float("-inf"))
    ctx = torch.softmax(scores, dim=softmax_dim) @ v
    merged = ctx.reshape(b, length, d) if merge_wrong else ctx.transpose(1, 2).reshape(b, length, d)
    return merged @ p["wo.weight"].T + p["wo.bias"]


def suspects(p, x, h, h_kv, mask=None):
    d = x.shape[-1]
    found = {}
    if 1 < h_kv < h:  # at the extremes both groupings agree
        found[
            "KV heads are tiled (repeat): query head h must use KV head h // n_rep, i.e. repeat_interleave(n_rep, dim=1)"
        ] = reference(p, x, h, h_kv, mask, grouping="tile")
    found |= {
        "scores look unscaled: divide QK^T by sqrt(d_head)": reference(p, x, h, h_kv, mask, scale=1.0),
        "scores are scaled by sqrt(d_model); scale by sqrt(d_head) = sqrt(d_model / num_heads)": reference(
            p, x, h, h_kv, mask, scale=math.sqrt(d)
        ),
        "heads are merged in the wrong order: transpose(1, 2) back to (B, L, H, d_head) before reshaping": reference(
            p, x, h, h_kv, mask, merge_wrong=True
        ),
    }
    if x.shape[1] > 1:
        found["softmax runs over the wrong axis: normalise over the keys (dim=-1)"] = reference(
            p, x, h, h_kv, mask, softmax_dim=-2
        )
    if mask is not None:
        found["the mask is inverted: True means 'may not attend' (masked_fill(mask, -inf))"] = reference(
            p, x, h, h_kv, ~mask
        )
    return found


PARAMETERS_HINT = (
    "wq, wo = nn.Linear(d_model, d_model); wk, wv = nn.Linear(d_model, num_kv_heads * d_head), "
    "d_head = d_model // num_heads; all with bias, no other parameters"
)


def build(sub, case, d_model, heads, kv_heads):
    module = sub.new("GroupedQueryAttention", d_model, heads, kv_heads)
    expected = shapes(d_model, heads, kv_heads)
    assert module.param_shapes == expected, (
        f"parameters {module.param_shapes}, expected exactly {expected}\nhint: {PARAMETERS_HINT}"
    )
    params = case.params_for(expected)
    module.load(params)
    return module, params


def run(sub, case, *, b=2, length=5, d=32, h=4, h_kv=2, mask=None):
    module, p = build(sub, case, d, h, h_kv)
    x = case.exact(case.randn(b, length, d))
    out = module(x, mask=mask) if mask is not None else module(x)
    close(out, reference(p, x, h, h_kv, mask), case, suspects=suspects(p, x, h, h_kv, mask))


def test_parameters(sub, case):
    build(sub, case, 16, 4, 2)
    build(sub, case, 24, 6, 3)


def test_forward(sub, case):
    run(sub, case)


def test_kv_head_grouping(sub, case):
    # 8 query heads over 2 KV heads: heads 0-3 use KV head 0, heads 4-7 KV head 1
    run(sub, case, d=32, h=8, h_kv=2)


def test_multi_query(sub, case):
    run(sub, case, d=24, h=6, h_kv=1)


def test_multi_head(sub, case):
    run(sub, case, d=24, h=4, h_kv=4)


@pytest.mark.parametrize(("heads", "kv_heads"), [(6, 3), (12, 4)])
def test_group_sizes(sub, case, heads, kv_heads):
    run(sub, case, d=48, h=heads, h_kv=kv_heads, length=4)


def test_padding_mask(sub, case):
    lengths = torch.tensor([6, 3])
    mask = (torch.arange(6)[None, :] >= lengths[:, None])[:, None, None, :]  # (B, 1, 1, L)
    run(sub, case, length=6, mask=mask)


def test_causal_mask(sub, case):
    mask = torch.ones(5, 5, dtype=torch.bool).triu(1)  # (L, L), broadcast over batch and heads
    run(sub, case, mask=mask)


def test_sequence_length_one(sub, case):
    run(sub, case, b=3, length=1)


def test_gradients(sub, case):
    h, h_kv, d = 4, 2, 16
    module, p = build(sub, case, d, h, h_kv)
    x = case.exact(case.randn(2, 4, d))
    grad_out = case.exact(case.randn(2, 4, d))
    out, grads = module.backward("__call__", x, grad_out=grad_out, wrt=(0,))
    p64 = {n: t.clone().requires_grad_(True) for n, t in p.items()}
    x64 = x.clone().requires_grad_(True)
    expected = reference(p64, x64, h, h_kv)
    expected.backward(grad_out)
    close(out, expected.detach(), case, suspects=suspects(p, x, h, h_kv))
    tol = {"rtol": case.rtol * 10, "atol": case.atol * 10}
    close(grads["inputs"][0], x64.grad, case, what="gradient of x", **tol)
    for name, want in p64.items():
        assert name in grads["params"], f"no gradient reached {name}"
        close(grads["params"][name], want.grad, case, what=f"gradient of {name}", **tol)
