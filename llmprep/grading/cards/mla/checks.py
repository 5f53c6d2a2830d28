"""Hidden checks for `mla`. The reference runs in float64 here, in the judge."""

import math

import pytest
import torch

from llmprep.grading.harness import close


def rope(x, positions, base=10000.0):
    d = x.shape[-1]
    inv_freq = base ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    angles = positions.to(torch.float64)[:, None] * inv_freq
    angles = torch.cat((angles, angles), dim=-1)
    rotated = torch.cat((-x[..., d // 2 :], x[..., : d // 2]), dim=-1)
    return x * angles.cos() + rotated * angles.sin()


def shapes(d_model, nh, dh, dc, dr):
    return {
        "w_dkv.weight": [dc, d_model],
        "w_uk.weight": [nh * dh, dc],
        "w_uv.weight": [nh * dh, dc],
        "w_kr.weight": [dr, d_model],
        "w_q.weight": [nh * dh, d_model],
        "w_qr.weight": [nh * dr, d_model],
        "w_o.weight": [d_model, nh * dh],
    }


def compress(p, h, rope_k=True):
    pos = torch.arange(h.shape[1])
    k_r = h @ p["w_kr.weight"].T
    return h @ p["w_dkv.weight"].T, (rope(k_r, pos) if rope_k else k_r)


def reference(p, h, nh, *, scale=None, rope_q=True, rope_k=True, rope_all=False, causal=True, v_from="w_uv"):
    """Float64 MLA; the keyword arguments produce the classic mistakes, used as hints."""
    b, length, _ = h.shape
    dr = p["w_kr.weight"].shape[0]
    dh = p["w_q.weight"].shape[0] // nh
    pos = torch.arange(length)
    c_kv, k_r = compress(p, h, rope_k and not rope_all)
    if rope_all:
        k_r = h @ p["w_kr.weight"].T

    def heads(t, width):
        return t.reshape(b, length, nh, width).transpose(1, 2)

    k_c = heads(c_kv @ p["w_uk.weight"].T, dh)
    v = heads(c_kv @ p[f"{v_from}.weight"].T, dh)
    q_c = heads(h @ p["w_q.weight"].T, dh)
    q_r = heads(h @ p["w_qr.weight"].T, dr)
    if rope_q and not rope_all:
        q_r = rope(q_r, pos)
    q = torch.cat((q_c, q_r), dim=-1)
    k = torch.cat((k_c, k_r[:, None].expand(b, nh, length, dr)), dim=-1)
    if rope_all:  # RoPE over the whole concatenated query and key
        q, k = rope(q, pos), rope(k, pos)
    s = q @ k.transpose(-2, -1) / (math.sqrt(dh + dr) if scale is None else scale)
    if causal:
        s = s.masked_fill(torch.ones(length, length, dtype=torch.bool).triu(1), float("-inf"))
    out = (torch.softmax(s, dim=-1) @ v).transpose(1, 2).reshape(b, length, nh * dh)
    return out @ p["w_o.weight"].T


def suspects(p, h, nh):
    dh = p["w_q.weight"].shape[0] // nh
    found = {
        "the scores are scaled by sqrt(d_head); the query/key width is d_head + d_rope: sqrt(d_head + d_rope)": (
            reference(p, h, nh, scale=math.sqrt(dh))
        ),
        "the decoupled queries q^R are not rotated: q^R_i = RoPE((W^QR h)_i)": reference(p, h, nh, rope_q=False),
        "the shared key k^R is not rotated: k_rope = RoPE(W^KR h)": reference(p, h, nh, rope_k=False),
        "RoPE was applied to the content parts too; rotate only q^R and k^R (that is why they are decoupled)": (
            reference(p, h, nh, rope_all=True)
        ),
        "the values come from W^UK; they come from W^UV c_kv": reference(p, h, nh, v_from="w_uk"),
    }
    if h.shape[1] > 1:
        found["the attention is not causal: mask keys j > i with -inf"] = reference(p, h, nh, causal=False)
    return found


def build(sub, case, d_model=32, nh=4, dh=8, dc=12, dr=4):
    module = sub.new("MLA", d_model, nh, dh, dc, dr)
    expected = shapes(d_model, nh, dh, dc, dr)
    got = module.param_shapes
    missing, extra = sorted(set(expected) - set(got)), sorted(set(got) - set(expected))
    assert got == expected, (
        (f"missing parameters {missing}; " if missing else "")
        + (f"unexpected parameters {extra}; " if extra else "")
        + f"parameters {got}, expected exactly {expected}"
    )
    params = case.params_for(expected)
    module.load(params)
    return module, params


def run(sub, case, *, b=2, length=6, d_model=32, nh=4, dh=8, dc=12, dr=4):
    module, p = build(sub, case, d_model, nh, dh, dc, dr)
    h = case.exact(case.randn(b, length, d_model))
    close(module(h), reference(p, h, nh), case, suspects=suspects(p, h, nh))
    return module, p


def test_parameters(sub, case):
    build(sub, case, 16, 2, 4, 6, 2)


def test_kv_cache_contents(sub, case):
    module, p = build(sub, case)
    h = case.exact(case.randn(2, 7, 32))
    got = module.method("compress_kv", h)
    assert isinstance(got, list | tuple) and len(got) == 2, (
        f"compress_kv returned {type(got).__name__}; expected a tuple (c_kv, k_rope)"
    )
    c_kv, k_rope = compress(p, h)
    close(got[0], c_kv, case, what="c_kv (the latent, W^DKV h)")
    close(
        got[1],
        k_rope,
        case,
        what="k_rope (RoPE(W^KR h) at positions 0..L-1)",
        suspects={"k_rope is not rotated: the cache stores RoPE(W^KR h)": compress(p, h, rope_k=False)[1]},
    )


def test_forward(sub, case):
    run(sub, case)


def test_causal(sub, case):
    module, p = build(sub, case)
    h = case.exact(case.randn(2, 7, 32))
    changed = h.clone()
    changed[:, 4:] = case.exact(case.randn(2, 3, 32))  # change the future of positions 0..3
    before, after = module(h), module(changed)
    close(
        after[:, :4],
        before[:, :4].double(),
        case,
        what="outputs at positions 0..3 after changing tokens 4..6 (must not change)",
        suspects={
            "the attention is not causal: mask keys j > i with -inf": reference(p, changed, 4, causal=False)[:, :4]
        },
    )
    close(after, reference(p, changed, 4), case, suspects=suspects(p, changed, 4))


@pytest.mark.parametrize("heads", [1, 3])
def test_head_counts(sub, case, heads):
    run(sub, case, d_model=24, nh=heads, dh=6, dc=10, dr=4, length=5)


def test_single_token(sub, case):
    run(sub, case, b=3, length=1)


def test_long_rope_positions(sub, case):
    # positions up to 40 with a small d_rope: rotations far from the identity
    run(sub, case, b=1, length=40, dr=6)


def test_gradients(sub, case):
    module, p = build(sub, case, 16, 2, 4, 6, 2)
    h = case.exact(case.randn(2, 5, 16))
    grad_out = case.exact(case.randn(2, 5, 16))
    out, grads = module.backward("__call__", h, grad_out=grad_out, wrt=(0,))
    leaves = {n: t.clone().requires_grad_(True) for n, t in p.items()}
    hl = h.clone().requires_grad_(True)
    expected = reference(leaves, hl, 2)
    expected.backward(grad_out)
    close(out, expected.detach(), case)
    tol = {"rtol": case.rtol * 10, "atol": case.atol * 10}
    close(grads["inputs"][0], hl.grad, case, what="gradient of h", **tol)
    for name, leaf in leaves.items():
        assert name in grads["params"], f"no gradient reached {name}"
        close(grads["params"][name], leaf.grad, case, what=f"gradient of {name}", **tol)
