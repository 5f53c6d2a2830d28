"""Hidden checks for `mha`. The reference runs in float64 here, in the judge."""

import math

import pytest
import torch

from llmprep.grading.harness import close

NAMES = ("wq.weight", "wq.bias", "wk.weight", "wk.bias", "wv.weight", "wv.bias", "wo.weight", "wo.bias")


def reference(
    p, q, k, v, h, mask=None, *, scale=None, softmax_dim=-1, merge_wrong=False, out_proj=True, invert_mask=False
):
    """Float64 multi-head attention; the keyword arguments produce the classic mistakes, used as hints."""
    b, lq, d = q.shape
    lk = k.shape[1]
    dk = d // h

    def split(x, length):
        return x.reshape(b, length, h, dk).transpose(1, 2)

    qh = split(q @ p["wq.weight"].T + p["wq.bias"], lq)
    kh = split(k @ p["wk.weight"].T + p["wk.bias"], lk)
    vh = split(v @ p["wv.weight"].T + p["wv.bias"], lk)
    scores = qh @ kh.transpose(-2, -1) / (math.sqrt(dk) if scale is None else scale)
    if mask is not None:
        scores = scores.masked_fill(~mask if invert_mask else mask, float("-inf"))
    weights = torch.softmax(scores, dim=softmax_dim)
    ctx = weights @ vh
    merged = ctx.reshape(b, lq, d) if merge_wrong else ctx.transpose(1, 2).reshape(b, lq, d)
    return merged @ p["wo.weight"].T + p["wo.bias"] if out_proj else merged


def suspects(p, q, k, v, h, mask=None):
    d = q.shape[-1]
    found = {
        "scores look unscaled: divide QK^T by sqrt(d_k)": reference(p, q, k, v, h, mask, scale=1.0),
        "scores are scaled by sqrt(d_model); scale by sqrt(d_k) = sqrt(d_model / num_heads)": reference(
            p, q, k, v, h, mask, scale=math.sqrt(d)
        ),
        "heads are merged in the wrong order: transpose(1, 2) back to (B, L, h, d_k) before reshaping": reference(
            p, q, k, v, h, mask, merge_wrong=True
        ),
        "the output projection wo is missing": reference(p, q, k, v, h, mask, out_proj=False),
    }
    if q.shape[1] > 1 and k.shape[1] > 1:
        found["softmax runs over the wrong axis: normalise over the keys (dim=-1)"] = reference(
            p, q, k, v, h, mask, softmax_dim=-2
        )
    if mask is not None:
        found["the mask is inverted: True means 'may not attend' (masked_fill(mask, -inf))"] = reference(
            p, q, k, v, h, mask, invert_mask=True
        )
    return found


def build(sub, case, d_model, heads):
    module = sub.new("MultiHeadAttention", d_model, heads)
    expected = {n: [d_model, d_model] if n.endswith("weight") else [d_model] for n in NAMES}
    assert module.param_shapes == expected, f"parameters {module.param_shapes}, expected exactly {expected}"
    params = case.params_for(expected)
    module.load(params)
    return module, params


def run(sub, case, *, b=2, lq=5, lk=5, d=32, h=4, mask=None, offset=0.0, loose=1.0):
    module, p = build(sub, case, d, h)
    q = case.exact(case.randn(b, lq, d, offset=offset))
    k = case.exact(case.randn(b, lk, d, offset=offset))
    v = case.exact(case.randn(b, lk, d))
    out = module(q, k, v, mask=mask) if mask is not None else module(q, k, v)
    close(
        out,
        reference(p, q, k, v, h, mask),
        case,
        suspects=suspects(p, q, k, v, h, mask),
        rtol=case.rtol * loose,
        atol=case.atol * loose,
    )


def test_parameters(sub, case):
    build(sub, case, 16, 2)


def test_self_attention(sub, case):
    run(sub, case)


def test_cross_attention(sub, case):
    run(sub, case, lq=3, lk=7)


def test_padding_mask(sub, case):
    lengths = torch.tensor([6, 3])
    mask = (torch.arange(6)[None, :] >= lengths[:, None])[:, None, None, :]  # (B, 1, 1, Lk)
    run(sub, case, lq=4, lk=6, mask=mask)


def test_causal_mask(sub, case):
    mask = torch.ones(5, 5, dtype=torch.bool).triu(1)  # (Lq, Lk), broadcast over batch and heads
    run(sub, case, mask=mask)


def test_single_head(sub, case):
    run(sub, case, d=8, h=1)


@pytest.mark.parametrize("heads", [2, 8])
def test_head_counts(sub, case, heads):
    run(sub, case, d=32, h=heads, lq=3, lk=4)


def test_sequence_length_one(sub, case):
    run(sub, case, b=3, lq=1, lk=1)


def test_large_inputs(sub, case):
    # scores reach a few hundred: exp() of them overflows float32 unless the row max is subtracted;
    # such scores amplify rounding, hence the looser tolerance
    run(sub, case, offset=10.0, loose=20.0)


def test_gradients(sub, case):
    module, p = build(sub, case, 16, 4)
    q, k, v = (case.exact(case.randn(2, 4, 16)) for _ in range(3))
    grad_out = case.exact(case.randn(2, 4, 16))
    out, grads = module.backward("__call__", q, k, v, grad_out=grad_out, wrt=(0, 1, 2))
    p64 = {n: t.clone().requires_grad_(True) for n, t in p.items()}
    inputs = [t.clone().requires_grad_(True) for t in (q, k, v)]
    expected = reference(p64, *inputs, 4)
    expected.backward(grad_out)
    close(out, expected.detach(), case)
    tol = {"rtol": case.rtol * 10, "atol": case.atol * 10}
    for name, given, want in zip("qkv", grads["inputs"], inputs, strict=True):
        close(given, want.grad, case, what=f"gradient of {name}", **tol)
    for name in NAMES:
        assert name in grads["params"], f"no gradient reached {name}"
        close(grads["params"][name], p64[name].grad, case, what=f"gradient of {name}", **tol)
